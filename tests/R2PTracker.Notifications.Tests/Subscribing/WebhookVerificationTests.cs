using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

/// <summary>A webhook URL proves it wants the traffic before its subscription is made.</summary>
public class WebhookVerificationTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<int> SubscriptionsToAsync(string url)
    {
        await using var query = app.Store.QuerySession();
        return await query.Query<Subscription>().CountAsync(s => s.Url == url, Ct);
    }

    [Fact]
    public async Task Subscribing_sends_a_signed_verification_event_and_answers_201_once_the_receiver_echoes_its_challenge()
    {
        await using var receiver = await WebhookReceiver.StartAsync();

        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/hook" }, Ct);

        var verification = receiver.Verifications.ShouldHaveSingleItem();
        verification.Path.ShouldBe("/hook");
        StandardWebhooks.Verify(subscription.Secret!, verification.Headers, verification.Body).ShouldBeTrue();
        var body = JsonDocument.Parse(verification.Body).RootElement;
        body.GetProperty("type").GetString().ShouldBe("webhook.verification");
        body.GetProperty("timestamp").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
        body.GetProperty("data").GetProperty("challenge").GetString()!.Length.ShouldBeGreaterThanOrEqualTo(16);
        receiver.Attempts.ShouldBe(0);
    }

    [Fact]
    public async Task Each_verification_carries_a_new_challenge()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/a" }, Ct);
        await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/b" }, Ct);

        receiver.Verifications.Select(v => WebhookReceiver.ChallengeOf(v.Body)).Distinct().Count().ShouldBe(2);
    }

    [Theory]
    [InlineData(ChallengeAnswer.Refuse, "HTTP 403")]
    [InlineData(ChallengeAnswer.WrongValue, "challenge")]
    [InlineData(ChallengeAnswer.Ignore, "challenge")]
    public async Task A_receiver_that_does_not_echo_the_challenge_gets_no_subscription_and_a_400_naming_the_url(ChallengeAnswer answer, string saying)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Challenges = answer;
        var url = receiver.BaseUrl + "/hook";

        var response = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").GetProperty("url")[0].GetString()!.ShouldContain(saying);
        receiver.Verifications.Count.ShouldBe(1);
        (await SubscriptionsToAsync(url)).ShouldBe(0);
    }

    [Fact]
    public async Task A_receiver_that_answers_too_late_gets_no_subscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.ChallengeDelay = TimeSpan.Parse(NotificationsApp.VerificationTimeout) * 3;
        var url = receiver.BaseUrl + "/slow";

        var response = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("url")[0].GetString()!
            .ShouldContain("within 2 s");
        (await SubscriptionsToAsync(url)).ShouldBe(0);
    }

    [Fact]
    public async Task A_url_where_nothing_listens_gets_no_subscription()
    {
        var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.BaseUrl + "/gone";
        await receiver.DisposeAsync();

        var response = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var reason = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("url")[0].GetString()!;
        reason.ShouldContain("could not be reached");
        reason.ShouldNotContain("127.0.0.1");
        (await SubscriptionsToAsync(url)).ShouldBe(0);
    }
}
