using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

/// <summary>
/// Webhook subscriptions are capped per destination host and per client. A host of the tests' own with
/// small caps (2 per host, 3 per client), and receivers on loopback addresses of their own
/// (127.0.x.y), so that no other test's subscriptions count.
/// </summary>
public sealed class WebhookCapTests(NotificationsApp app) : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly WebApplicationFactory<Program> _capped = app.Variant(new()
    {
        ["Webhooks:MaxPerHost"] = "2",
        ["Webhooks:MaxPerClient"] = "3",
    });

    private static string NewLoopbackHost() => $"127.0.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";

    private static string NewClient() => $"203.0.113.{Random.Shared.Next(1, 255)}, 198.51.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 255)}";

    private Task<HttpResponseMessage> SubscribeAsync(string url, string forwardedFor)
    {
        var client = _capped.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url }, Ct);
    }

    [Fact]
    public async Task A_host_takes_at_most_the_configured_number_of_active_webhook_subscriptions_whoever_makes_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync(NewLoopbackHost());

        (await SubscribeAsync(receiver.BaseUrl + "/1", NewClient())).StatusCode.ShouldBe(HttpStatusCode.Created);
        var second = await SubscribeAsync(receiver.BaseUrl + "/2", NewClient());
        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        var third = await SubscribeAsync(receiver.BaseUrl + "/3", NewClient());

        third.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        third.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await third.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("field").GetString().ShouldBe("url");
        receiver.Verifications.Count.ShouldBe(2); // the refused one was not even sent a verification

        // Deleting one makes room.
        var made = await second.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var manage = _capped.CreateClient();
        manage.DefaultRequestHeaders.Authorization = new("Bearer", made.GetProperty("manageToken").GetString());
        (await manage.DeleteAsync($"/api/subscriptions/{made.GetProperty("id").GetString()}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await SubscribeAsync(receiver.BaseUrl + "/4", NewClient())).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_client_makes_at_most_the_configured_number_of_webhook_subscriptions_and_another_client_is_not_held_back()
    {
        var receivers = new List<WebhookReceiver>();
        try
        {
            for (var i = 0; i < 4; i++) receivers.Add(await WebhookReceiver.StartAsync(NewLoopbackHost()));
            var client = NewClient();

            for (var i = 0; i < 3; i++) (await SubscribeAsync(receivers[i].BaseUrl + "/hook", client)).StatusCode.ShouldBe(HttpStatusCode.Created);
            var fourth = await SubscribeAsync(receivers[3].BaseUrl + "/hook", client);

            fourth.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await fourth.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString()!.ShouldContain("client");
            (await SubscribeAsync(receivers[3].BaseUrl + "/hook", NewClient())).StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        finally
        {
            foreach (var r in receivers) await r.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await _capped.DisposeAsync();
}
