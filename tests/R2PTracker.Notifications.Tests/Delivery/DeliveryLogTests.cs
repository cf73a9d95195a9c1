using System.Runtime.CompilerServices;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class DeliveryLogTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> FirstAttemptAsync(Subscribed subscription) => (await TestEnvironment.Eventually(async () =>
    {
        var log = await app.DeliveriesAsync(subscription, Ct);
        return log.GetArrayLength() == 1 && log[0].GetProperty("attempts").GetArrayLength() >= 1
            ? new StrongBox<JsonElement>(log[0].GetProperty("attempts")[0]) : null;
    }, TimeSpan.FromSeconds(30), "a failed attempt in the log")).Value;

    [Fact]
    public async Task A_receiver_that_went_away_is_logged_as_unreachable_without_its_address()
    {
        var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        await receiver.DisposeAsync();

        await app.PublishAsync(Events.StatusChanged(pledgeId), Ct);

        var attempt = await FirstAttemptAsync(subscription);
        attempt.GetProperty("error").GetString().ShouldBe("The receiver could not be reached.");
        attempt.GetRawText().ShouldNotContain("127.0.0.1");
    }

    [Fact]
    public async Task A_redirecting_receiver_is_a_failed_attempt_and_the_redirect_is_not_followed()
    {
        await using var inside = await WebhookReceiver.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.RedirectTo = inside.BaseUrl + "/inside";
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);

        await app.PublishAsync(Events.StatusChanged(pledgeId), Ct);

        var attempt = await FirstAttemptAsync(subscription);
        attempt.GetProperty("statusCode").GetInt32().ShouldBe(307);
        attempt.GetProperty("error").GetString().ShouldBe("HTTP 307");
        inside.Attempts.ShouldBe(0);
        inside.Verifications.ShouldBeEmpty();
    }
}
