using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class WebhookDeliveryTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Guid Id, string Secret)> SubscribeAsync(string url, params string[] pledgeIds)
    {
        var response = await app.Client().PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url, pledgeIds = pledgeIds.Length == 0 ? null : pledgeIds }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    private static PledgeStatusChanged StatusChanged(string pledgeId) => new(
        Guid.NewGuid(), pledgeId, 2, "2016", DateTimeOffset.UtcNow, "Alice", "NotYetRated", "Kept",
        "Focal point appointed in 2016", [new EvidenceLink("CICP report", "https://cicp.org.kh", null)]);

    private Task PublishAsync(PledgeStatusChanged e) => app.Bus.Publish(e, ctx => ctx.MessageId = e.EventId, Ct);

    [Fact]
    public async Task A_status_change_reaches_a_matching_webhook_signed_per_standard_webhooks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = "p-" + Guid.NewGuid().ToString("N")[..8];
        var (_, secret) = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);

        var e = StatusChanged(pledgeId);
        await PublishAsync(e);

        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the webhook");
        hook.Headers["webhook-id"].ShouldBe(e.EventId.ToString());
        StandardWebhooks.Verify(secret, hook.Headers, hook.Body).ShouldBeTrue();
        var payload = JsonDocument.Parse(hook.Body).RootElement;
        payload.GetProperty("type").GetString().ShouldBe("pledge.status_changed");
        payload.TryGetProperty("timestamp", out _).ShouldBeTrue();
        var data = payload.GetProperty("data");
        data.GetProperty("pledgeId").GetString().ShouldBe(pledgeId);
        data.GetProperty("status").GetString().ShouldBe("Kept");
        data.GetProperty("reason").GetString().ShouldBe("Focal point appointed in 2016");
    }

    [Fact]
    public async Task A_redelivered_message_does_not_deliver_twice()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = "p-" + Guid.NewGuid().ToString("N")[..8];
        var (subscriptionId, _) = await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);

        var e = StatusChanged(pledgeId);
        await PublishAsync(e);
        await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the first delivery");
        await PublishAsync(e);

        // The second copy is consumed once its delivery record is found; wait for a later marker message.
        var marker = StatusChanged(pledgeId);
        await PublishAsync(marker);
        await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(r => r.Headers["webhook-id"] == marker.EventId.ToString())),
            TimeSpan.FromSeconds(30), "the marker delivery");

        receiver.Received.Count(r => r.Headers["webhook-id"] == e.EventId.ToString()).ShouldBe(1);
        var delivery = await app.Store.QuerySession().LoadAsync<WebhookDelivery>(WebhookDelivery.IdFor(e.EventId, subscriptionId), Ct);
        delivery!.Status.ShouldBe("delivered");
    }

    [Fact]
    public async Task A_receiver_failing_transiently_gets_the_webhook_on_a_retry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst(2);
        var pledgeId = "p-" + Guid.NewGuid().ToString("N")[..8];
        await SubscribeAsync(receiver.BaseUrl + "/hook", pledgeId);

        await PublishAsync(StatusChanged(pledgeId));

        await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the retried webhook");
        receiver.Attempts.ShouldBe(3);
    }

    [Fact]
    public async Task Only_subscriptions_for_the_pledge_receive_it()
    {
        await using var mine = await WebhookReceiver.StartAsync();
        await using var other = await WebhookReceiver.StartAsync();
        var pledgeId = "p-" + Guid.NewGuid().ToString("N")[..8];
        await SubscribeAsync(mine.BaseUrl + "/hook", pledgeId);
        await SubscribeAsync(other.BaseUrl + "/hook", "some-other-pledge");

        await PublishAsync(StatusChanged(pledgeId));

        await TestEnvironment.Eventually(() => Task.FromResult(mine.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the webhook");
        other.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Subscribing_with_bad_input_returns_400_problem_details_naming_the_fields()
    {
        var response = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "pigeon", url = "file:///etc/passwd" }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.TryGetProperty("kind", out _).ShouldBeTrue();
        errors.TryGetProperty("url", out _).ShouldBeTrue();
    }
}
