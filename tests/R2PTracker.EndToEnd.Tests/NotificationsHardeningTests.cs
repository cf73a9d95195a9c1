using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>Notifications' defences, driven through the gateway as a subscriber would meet them.</summary>
public class NotificationsHardeningTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> ETagOf(string pledgeId)
    {
        var response = await deployment.Gateway().GetAsync($"/api/pledges/{pledgeId}", Ct);
        response.EnsureSuccessStatusCode();
        return response.Headers.ETag!.Tag;
    }

    [Fact]
    public async Task A_webhook_url_is_kept_only_if_it_echoes_the_signed_challenge_sent_through_the_whole_stack()
    {
        await using var refusing = await WebhookReceiver.StartAsync();
        refusing.Challenges = ChallengeAnswer.WrongValue;
        await using var willing = await WebhookReceiver.StartAsync();
        var gateway = deployment.Gateway();

        var refused = await gateway.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url = refusing.BaseUrl + "/r2p" }, Ct);
        var kept = await gateway.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url = willing.BaseUrl + "/r2p" }, Ct);

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("url")[0].GetString()!.ShouldContain("challenge");
        kept.StatusCode.ShouldBe(HttpStatusCode.Created);
        var secret = (await kept.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;
        var verification = willing.Verifications.ShouldHaveSingleItem();
        StandardWebhooks.Verify(secret, verification.Headers, verification.Body).ShouldBeTrue();
    }

    [Fact]
    public async Task A_subscriber_following_a_country_code_gets_the_alerts_of_a_pledge_registered_in_that_country()
    {
        // The README's example: commitments records "KH", and "filter.country" takes the same code.
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = await deployment.NewPledgeAsync();
        var gateway = deployment.Gateway();
        (await gateway.PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = receiver.BaseUrl + "/kh", filter = new { country = "KH", eventTypes = new[] { "pledge.status_changed" } } }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var byName = await gateway.PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = receiver.BaseUrl + "/name", filter = new { country = "Cambodia" } }, Ct);
        byName.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        await deployment.ChangeStatusAsync(pledgeId, "InTheWorks", "\"1\"");

        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(r =>
                JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("pledgeId").GetString() == pledgeId)),
            TimeSpan.FromSeconds(30), "the alert for the KH pledge");
        hook.Path.ShouldBe("/kh");
    }

    [Fact]
    public async Task An_actor_filter_follows_a_revised_actor()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = await deployment.NewPledgeAsync();
        var newActor = "Ministry of Education " + Guid.NewGuid().ToString("N")[..6];
        (await deployment.Gateway().PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = receiver.BaseUrl + "/actor", filter = new { actor = newActor } }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var staff = deployment.StaffThroughGateway();
        var revise = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{pledgeId}/details")
        {
            Content = JsonContent.Create(new { actor = newActor, reason = "The ministry took the pledge over", occurredOn = "2016" }),
        };
        revise.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        (await staff.SendAsync(revise, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The revision and the status changes travel on different queues: write until one arrives.
        var statuses = new[] { "InTheWorks", "Stalled" };
        ReceivedWebhook? hook = null;
        for (var i = 0; i < 15 && hook is null; i++)
        {
            await deployment.ChangeStatusAsync(pledgeId, statuses[i % 2], await ETagOf(pledgeId));
            hook = await Task.Run(async () =>
            {
                for (var wait = 0; wait < 20; wait++)
                {
                    if (receiver.Received.FirstOrDefault() is { } received) return received;
                    await Task.Delay(100, Ct);
                }
                return null;
            }, Ct);
        }
        hook.ShouldNotBeNull("no status change reached the subscriber of the revised actor");
        JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("pledgeId").GetString().ShouldBe(pledgeId);
    }
}
