using Marten;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class SubscriptionFilterTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<ReceivedWebhook> ReceivedAsync(WebhookReceiver receiver, Guid eventId) =>
        TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(r => r.Headers["webhook-id"] == eventId.ToString())),
            TimeSpan.FromSeconds(30), $"webhook {eventId}");

    /// <summary>Waits until the event was fanned out, then tells whether it recorded a delivery for the subscription.</summary>
    private async Task<bool> RecordedForAsync(IPledgeIntegrationEvent e, Guid subscriptionId)
    {
        await TestEnvironment.Eventually(async () =>
        {
            await using var query = app.Store.QuerySession();
            return await query.LoadAsync<FannedOutEvent>(e.EventId, Ct);
        }, TimeSpan.FromSeconds(30), "the fan-out");
        await using var session = app.Store.QuerySession();
        return await session.LoadAsync<Delivery.Delivery>(Delivery.Delivery.IdFor(e.EventId, subscriptionId), Ct) is not null;
    }

    [Fact]
    public async Task Only_subscriptions_for_the_pledge_receive_it()
    {
        await using var mine = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        await app.SubscribeAsync(new { kind = "webhook", url = mine.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        var other = await app.SubscribeAsync(new { kind = "webhook", url = mine.BaseUrl + "/other", pledgeIds = new[] { "some-other-pledge" } }, Ct);

        var e = Events.StatusChanged(pledgeId);
        await app.PublishAsync(e, Ct);

        (await ReceivedAsync(mine, e.EventId)).Path.ShouldBe("/hook");
        (await RecordedForAsync(e, other.Id)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_country_code_and_actor_filter_matches_pledges_registered_with_them_whatever_the_case()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var actor = "Prime Minister " + Guid.NewGuid().ToString("N")[..6];
        string inCambodia = Events.NewPledgeId(), inThailand = Events.NewPledgeId(), otherActor = Events.NewPledgeId();
        await app.PublishAsync(Events.Registered(inCambodia, actor, "KH"), Ct);
        await app.PublishAsync(Events.Registered(inThailand, actor, "TH"), Ct);
        await app.PublishAsync(Events.Registered(otherActor, "Someone else", "KH"), Ct);
        // Registrations travel on their own queue: let them land first, as they do in life.
        foreach (var id in new[] { inCambodia, inThailand, otherActor })
        {
            await TestEnvironment.Eventually(async () =>
            {
                await using var query = app.Store.QuerySession();
                return await query.LoadAsync<Pledges.PledgeProfile>(id, Ct);
            }, TimeSpan.FromSeconds(30), $"the registration of {id}");
        }
        var subscription = await app.SubscribeAsync(new
        {
            kind = "webhook", url = receiver.BaseUrl + "/hook", filter = new { country = "kh", actor = actor.ToLowerInvariant() },
        }, Ct);
        subscription.Body.GetProperty("filter").GetProperty("country").GetString().ShouldBe("KH");

        var matching = Events.StatusChanged(inCambodia);
        var wrongCountry = Events.StatusChanged(inThailand);
        var wrongActor = Events.StatusChanged(otherActor);
        foreach (var e in new[] { matching, wrongCountry, wrongActor }) await app.PublishAsync(e, Ct);

        await ReceivedAsync(receiver, matching.EventId);
        (await RecordedForAsync(wrongCountry, subscription.Id)).ShouldBeFalse();
        (await RecordedForAsync(wrongActor, subscription.Id)).ShouldBeFalse();
    }

    [Fact]
    public async Task An_event_type_filter_lets_only_those_types_through()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new
        {
            kind = "webhook", url = receiver.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId }, eventTypes = new[] { "pledge.milestone_logged" } },
        }, Ct);

        var statusChange = Events.StatusChanged(pledgeId);
        var milestone = Events.Milestone(pledgeId);
        await app.PublishAsync(statusChange, Ct);
        await app.PublishAsync(milestone, Ct);

        var hook = await ReceivedAsync(receiver, milestone.EventId);
        hook.Body.ShouldContain("\"type\":\"pledge.milestone_logged\"");
        (await RecordedForAsync(statusChange, subscription.Id)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_change_recorded_before_the_subscription_but_forwarded_after_it_is_not_sent_to_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var recordedEarlier = Events.StatusChanged(pledgeId) with { RecordedAt = DateTimeOffset.UtcNow.AddMinutes(-1) };
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);

        await app.PublishAsync(recordedEarlier, Ct);
        var recordedLater = Events.StatusChanged(pledgeId, "Stalled");
        await app.PublishAsync(recordedLater, Ct);

        await ReceivedAsync(receiver, recordedLater.EventId);
        (await RecordedForAsync(recordedEarlier, subscription.Id)).ShouldBeFalse();
    }
}
