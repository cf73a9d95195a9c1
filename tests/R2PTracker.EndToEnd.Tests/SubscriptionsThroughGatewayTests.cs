using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>Managing a webhook subscription with its manage token, every call through the gateway.</summary>
public class SubscriptionsThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_subscriber_rotates_the_secret_reads_the_delivery_log_and_deletes_the_subscription_through_the_gateway()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = await deployment.NewPledgeAsync();
        var gateway = deployment.Gateway();
        var subscribed = await gateway.PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = receiver.BaseUrl + "/r2p", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        subscribed.StatusCode.ShouldBe(HttpStatusCode.Created);
        var subscription = await subscribed.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = subscription.GetProperty("id").GetString();
        var oldSecret = subscription.GetProperty("secret").GetString()!;
        using var manage = deployment.Gateway();
        manage.DefaultRequestHeaders.Authorization = new("Bearer", subscription.GetProperty("manageToken").GetString());

        (await gateway.PostAsync($"/api/subscriptions/{id}/rotate-secret", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var rotation = await manage.PostAsync($"/api/subscriptions/{id}/rotate-secret", null, Ct);
        rotation.StatusCode.ShouldBe(HttpStatusCode.OK);
        var newSecret = (await rotation.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;

        await deployment.ChangeStatusAsync(pledgeId, "InTheWorks", "\"1\"");
        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the webhook");
        StandardWebhooks.Verify(newSecret, hook.Headers, hook.Body).ShouldBeTrue();
        StandardWebhooks.Verify(oldSecret, hook.Headers, hook.Body).ShouldBeTrue();

        var log = await TestEnvironment.Eventually(async () =>
        {
            var entries = (await manage.GetFromJsonAsync<JsonElement>($"/api/subscriptions/{id}/deliveries", Ct)).EnumerateArray().ToList();
            return entries.Any(d => d.GetProperty("status").GetString() == "delivered") ? entries : null;
        }, TimeSpan.FromSeconds(30), "the delivered entry in the log");
        log.Count.ShouldBe(1);

        (await manage.DeleteAsync($"/api/subscriptions/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await manage.GetAsync($"/api/subscriptions/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A witness subscribed to the same pledge shows the next change went out; the deleted one got nothing.
        await using var witness = await WebhookReceiver.StartAsync();
        (await gateway.PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = witness.BaseUrl + "/r2p", filter = new { pledgeIds = new[] { pledgeId } } }, Ct)).EnsureSuccessStatusCode();
        await deployment.ChangeStatusAsync(pledgeId, "Stalled", "\"2\"");
        await TestEnvironment.Eventually(() => Task.FromResult(witness.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the witness's webhook");
        receiver.Received.Count.ShouldBe(1);
    }
}
