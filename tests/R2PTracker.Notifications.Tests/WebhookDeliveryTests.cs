using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Marten;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class WebhookDeliveryTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<Subscribed> SubscribeAsync(string url, params string[] pledgeIds) =>
        app.SubscribeAsync(new { kind = "webhook", url, filter = new { pledgeIds = pledgeIds.Length == 0 ? null : pledgeIds } }, Ct);

    private static Task<ReceivedWebhook> FirstAsync(WebhookReceiver receiver, Guid? eventId = null, int seconds = 30) =>
        TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(r => eventId is null || r.Headers["webhook-id"] == eventId.ToString())),
            TimeSpan.FromSeconds(seconds), "the webhook");

    [Fact]
    public async Task A_status_change_reaches_a_matching_webhook_signed_per_standard_webhooks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var subscription = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);
        subscription.Secret.ShouldNotBeNull().ShouldStartWith("whsec_");
        subscription.ManageToken.ShouldStartWith("r2pm_");

        var e = Events.StatusChanged(pledgeId);
        await app.PublishAsync(e, Ct);

        var hook = await FirstAsync(receiver);
        hook.Headers["webhook-id"].ShouldBe(e.EventId.ToString());
        StandardWebhooks.Verify(subscription.Secret, hook.Headers, hook.Body).ShouldBeTrue();
        var payload = JsonDocument.Parse(hook.Body).RootElement;
        payload.GetProperty("type").GetString().ShouldBe("pledge.status_changed");
        payload.TryGetProperty("timestamp", out _).ShouldBeTrue();
        var data = payload.GetProperty("data");
        data.GetProperty("pledgeId").GetString().ShouldBe(pledgeId);
        data.GetProperty("status").GetString().ShouldBe("Kept");
        data.GetProperty("reason").GetString().ShouldBe("Focal point appointed in 2016");
    }

    [Fact]
    public async Task A_redelivered_message_does_not_record_or_deliver_twice()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var subscription = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);

        var e = Events.StatusChanged(pledgeId);
        await app.PublishAsync(e, Ct);
        await FirstAsync(receiver, e.EventId);
        await app.PublishAsync(e, Ct);

        // The second copy is consumed before a later marker message is delivered.
        var marker = Events.StatusChanged(pledgeId);
        await app.PublishAsync(marker, Ct);
        await FirstAsync(receiver, marker.EventId);

        receiver.Received.Count(r => r.Headers["webhook-id"] == e.EventId.ToString()).ShouldBe(1);
        await using var query = app.Store.QuerySession();
        var delivery = await query.LoadAsync<Delivery.Delivery>(Delivery.Delivery.IdFor(e.EventId, subscription.Id), Ct);
        delivery!.Status.ShouldBe(DeliveryStatuses.Delivered);
        delivery.Attempts.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_event_whose_fan_out_was_interrupted_after_recording_some_deliveries_reaches_each_subscriber_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var first = await SubscribeAsync(receiver.BaseUrl + "/first", pledgeId);
        await SubscribeAsync(receiver.BaseUrl + "/second", pledgeId);
        var e = Events.StatusChanged(pledgeId);
        // As a fan-out interrupted half-way leaves it: one subscriber's delivery recorded, no marker.
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new Delivery.Delivery
            {
                Id = Delivery.Delivery.IdFor(e.EventId, first.Id),
                EventId = e.EventId,
                SubscriptionId = first.Id,
                Kind = "webhook",
                Type = "pledge.status_changed",
                PledgeId = pledgeId,
                Payload = Webhooks.WebhookPayload.From(e).ToJson(),
                Status = DeliveryStatuses.Pending,
                CreatedAt = DateTimeOffset.UtcNow,
                NextAttemptAt = DateTimeOffset.UtcNow,
            });
            await session.SaveChangesAsync(Ct);
        }

        await app.PublishAsync(e, Ct);

        await TestEnvironment.Eventually(() => Task.FromResult(
                receiver.Received.Where(r => r.WebhookId == e.EventId.ToString()).Select(r => r.Path).Distinct().Count() == 2 ? "both" : null),
            TimeSpan.FromSeconds(30), "the webhook at both subscribers");
        var marker = Events.StatusChanged(pledgeId);
        await app.PublishAsync(marker, Ct);
        await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.Count(r => r.WebhookId == marker.EventId.ToString()) == 2 ? "both" : null),
            TimeSpan.FromSeconds(30), "the later event at both subscribers");
        receiver.Received.Where(r => r.WebhookId == e.EventId.ToString()).Select(r => r.Path).Order().ShouldBe(["/first", "/second"]);
        await using var query = app.Store.QuerySession();
        (await query.LoadAsync<FannedOutEvent>(e.EventId, Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Events_fanned_out_while_earlier_deliveries_are_still_being_sent_reach_each_subscriber_exactly_once()
    {
        // The dispatcher queries again while attempts and their saving are under way: none may be taken twice.
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(20);
        var pledgeId = Events.NewPledgeId();
        const int subscribers = 150;
        await Parallel.ForEachAsync(Enumerable.Range(0, subscribers), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (i, _) => await SubscribeAsync($"{receiver.BaseUrl}/s{i}", pledgeId));
        var events = Enumerable.Range(0, 4).Select(_ => Events.StatusChanged(pledgeId)).ToList();

        foreach (var e in events) await app.PublishAsync(e, Ct);

        await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.Count >= subscribers * events.Count ? "all" : null),
            TimeSpan.FromSeconds(60), "every webhook");
        await Task.Delay(1000, Ct); // time for any second attempt to show
        receiver.Received.Count.ShouldBe(subscribers * events.Count);
        receiver.Received.GroupBy(r => (r.WebhookId, r.Path)).ShouldAllBe(g => g.Count() == 1);
    }

    [Fact]
    public async Task A_receiver_answering_500_three_times_gets_the_webhook_on_the_fourth_attempt_and_the_log_shows_each_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst(3);
        var pledgeId = Events.NewPledgeId();
        var subscription = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);
        var e = Events.StatusChanged(pledgeId);

        await app.PublishAsync(e, Ct);

        var hook = await FirstAsync(receiver);
        StandardWebhooks.Verify(subscription.Secret!, hook.Headers, hook.Body).ShouldBeTrue();
        receiver.Attempts.ShouldBe(4);
        var log = await TestEnvironment.Eventually(async () =>
        {
            var deliveries = await app.DeliveriesAsync(subscription, Ct);
            return deliveries.GetArrayLength() == 1 && deliveries[0].GetProperty("status").GetString() == "delivered" ? new StrongBox<JsonElement>(deliveries[0]) : null;
        }, TimeSpan.FromSeconds(10), "the delivery log");
        var delivery = log!.Value;
        delivery.GetProperty("eventId").GetGuid().ShouldBe(e.EventId);
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        attempts.Select(a => a.GetProperty("statusCode").GetInt32()).ShouldBe([500, 500, 500, 200]);
        attempts.Select(a => a.GetProperty("number").GetInt32()).ShouldBe([1, 2, 3, 4]);
        attempts.ShouldAllBe(a => a.GetProperty("durationMs").GetInt64() >= 0);
        // Backoff: each wait is longer than the one before (0.2 s, 0.4 s, 0.8 s ± 20 %).
        var times = attempts.Select(a => a.GetProperty("at").GetDateTimeOffset()).ToList();
        (times[3] - times[2]).ShouldBeGreaterThan(times[1] - times[0]);
        delivery.GetProperty("nextAttemptAt").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_delivery_whose_every_attempt_fails_is_dead_and_says_so()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst(1000);
        var pledgeId = Events.NewPledgeId();
        var subscription = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);

        await app.PublishAsync(Events.StatusChanged(pledgeId), Ct);

        var dead = await TestEnvironment.Eventually(async () =>
        {
            var deliveries = await app.DeliveriesAsync(subscription, Ct);
            return deliveries.GetArrayLength() == 1 && deliveries[0].GetProperty("status").GetString() == "dead" ? new StrongBox<JsonElement>(deliveries[0]) : null;
        }, TimeSpan.FromSeconds(20), "a dead delivery");
        dead!.Value.GetProperty("attempts").GetArrayLength().ShouldBe(NotificationsApp.MaxAttempts);
        dead.Value.GetProperty("deadReason").GetString().ShouldNotBeNullOrEmpty();
        receiver.Attempts.ShouldBe(NotificationsApp.MaxAttempts);
    }

    [Fact]
    public async Task An_endpoint_failing_for_longer_than_the_threshold_is_disabled_and_says_so()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst(1000);
        var pledgeId = Events.NewPledgeId();
        var subscription = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);

        await app.PublishAsync(Events.StatusChanged(pledgeId), Ct);
        await Task.Delay(2000, Ct);
        await app.PublishAsync(Events.StatusChanged(pledgeId, "Stalled"), Ct);

        var manage = app.ManageClient(subscription.ManageToken);
        var view = await TestEnvironment.Eventually(async () =>
        {
            var s = await manage.GetFromJsonAsync<JsonElement>($"/api/subscriptions/{subscription.Id}", Ct);
            return s.GetProperty("status").GetString() == "disabled" ? new StrongBox<JsonElement>(s) : null;
        }, TimeSpan.FromSeconds(20), "the subscription to be disabled");
        view!.Value.GetProperty("disabledReason").GetString().ShouldNotBeNullOrEmpty();
        view.Value.GetProperty("disabledAt").ValueKind.ShouldNotBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_pending_delivery_left_in_the_database_is_sent_by_the_dispatcher()
    {
        // As a crashed instance would leave it: recorded, never attempted.
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var subscription = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);
        var eventId = Guid.NewGuid();
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new Delivery.Delivery
            {
                Id = Delivery.Delivery.IdFor(eventId, subscription.Id), EventId = eventId, SubscriptionId = subscription.Id,
                Kind = "webhook", Type = "pledge.status_changed", PledgeId = pledgeId,
                Payload = $$$"""{"type":"pledge.status_changed","timestamp":"2026-01-01T00:00:00Z","data":{"pledgeId":"{{{pledgeId}}}"}}""",
                Status = DeliveryStatuses.Pending, CreatedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.UtcNow,
            });
            await session.SaveChangesAsync(Ct);
        }

        var hook = await FirstAsync(receiver, eventId);
        StandardWebhooks.Verify(subscription.Secret!, hook.Headers, hook.Body).ShouldBeTrue();
    }

    [Fact]
    public async Task Subscribing_with_bad_input_returns_400_problem_details_naming_the_fields()
    {
        var response = await app.Client().PostAsJsonAsync("/api/subscriptions",
            new { kind = "pigeon", filter = new { eventTypes = new[] { "pledge.exploded" }, pledgeIds = new[] { "Not A Slug" } } }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.EnumerateObject().Select(p => p.Name).ShouldBe(["kind", "filter.pledgeIds[0]", "filter.eventTypes[0]"], ignoreOrder: true);

        var noUrl = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url = "file:///etc/passwd" }, Ct);
        noUrl.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noUrl.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("url", out _).ShouldBeTrue();
    }
}
