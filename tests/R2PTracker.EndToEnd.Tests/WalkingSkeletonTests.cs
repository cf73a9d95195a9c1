using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The three services as processes, driven only over HTTP through the gateway, as a user would.</summary>
public class WalkingSkeletonTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object StatusChange(string status, string? reason = "Seen in the CICP report") => new
    {
        status,
        reason,
        occurredOn = "2023-09-16",
        evidence = new[] { new { title = "CICP, Spotlight on R2P", url = "https://cicp.org.kh/" } },
    };

    private static HttpRequestMessage Post(string url, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private async Task<string> ETagOf(string pledgeId)
    {
        var response = await deployment.Gateway().GetAsync($"/api/pledges/{pledgeId}", Ct);
        response.EnsureSuccessStatusCode();
        return response.Headers.ETag!.Tag;
    }

    [Fact]
    public async Task The_seven_seed_pledges_are_listed_through_the_gateway()
    {
        var pledges = await deployment.Gateway().GetFromJsonAsync<JsonElement>("/api/pledges", Ct);
        // Other tests register pledges of their own (ids "e2e-…"); the seed ones are exactly these.
        pledges.EnumerateArray().Select(p => p.GetProperty("id").GetString()!).Where(id => id.StartsWith("kh-")).Order().ShouldBe(
            ["kh-r2p-1", "kh-r2p-2", "kh-r2p-3", "kh-r2p-4", "kh-r2p-5", "kh-r2p-6", "kh-r2p-focal-point"]);
    }

    [Fact]
    public async Task A_staff_status_change_through_the_gateway_reaches_a_subscribed_webhook_with_a_valid_signature()
    {
        // A pledge of the test's own: the seed pledges are shared by every test of the deployment.
        var id = await deployment.NewPledgeAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscribed = await deployment.Gateway().PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = receiver.BaseUrl + "/r2p", pledgeIds = new[] { id } }, Ct);
        subscribed.StatusCode.ShouldBe(HttpStatusCode.Created);
        var secret = (await subscribed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;

        var etag = await ETagOf(id);
        var assessed = await deployment.StaffThroughGateway().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("InTheWorks"), etag), Ct);
        assessed.StatusCode.ShouldBe(HttpStatusCode.OK);

        // The registration's event may be on its way too; this test waits for the status change.
        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(
            r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString() == "pledge.status_changed")), TimeSpan.FromSeconds(30), "the webhook");
        StandardWebhooks.Verify(secret, hook.Headers, hook.Body).ShouldBeTrue();
        var data = JsonDocument.Parse(hook.Body).RootElement.GetProperty("data");
        data.GetProperty("pledgeId").GetString().ShouldBe(id);
        data.GetProperty("status").GetString().ShouldBe("InTheWorks");
        data.GetProperty("reason").GetString().ShouldBe("Seen in the CICP report");
        data.GetProperty("recordedBy").GetString().ShouldBe(Deployment.StaffName);

        var timeline = await deployment.Gateway().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct);
        timeline.EnumerateArray().Last().GetProperty("recordedBy").GetString().ShouldBe(Deployment.StaffName);
    }

    [Fact]
    public async Task A_write_without_a_token_gets_401()
    {
        var id = await deployment.NewPledgeAsync();
        var etag = await ETagOf(id);
        var response = await deployment.Gateway().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), etag), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ETagOf(id)).ShouldBe(etag);
    }

    [Fact]
    public async Task A_staff_token_sent_straight_to_commitments_bypassing_the_gateway_gets_401()
    {
        var id = await deployment.NewPledgeAsync();
        var etag = await ETagOf(id);
        using var direct = new HttpClient { BaseAddress = new Uri(deployment.CommitmentsUrl) };
        direct.DefaultRequestHeaders.Authorization = new("Bearer", deployment.StaffToken);
        var response = await direct.SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), etag), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ETagOf(id)).ShouldBe(etag);
    }

    [Fact]
    public async Task A_status_change_without_a_reason_gets_400_naming_reason_and_nothing_is_appended()
    {
        var id = await deployment.NewPledgeAsync();
        var etag = await ETagOf(id);
        var response = await deployment.StaffThroughGateway().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled", reason: null), etag), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue();
        (await ETagOf(id)).ShouldBe(etag);
        var timeline = await deployment.Gateway().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct);
        timeline.GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task A_stale_if_match_gets_412_and_the_newer_change_stands()
    {
        var id = await deployment.NewPledgeAsync();
        var staff = deployment.StaffThroughGateway();
        var etag = await ETagOf(id);
        (await staff.SendAsync(Post($"/api/pledges/{id}/status", StatusChange("InTheWorks"), etag), Ct)).EnsureSuccessStatusCode();

        var stale = await staff.SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Broken"), etag), Ct);

        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        var pledge = await deployment.Gateway().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct);
        pledge.GetProperty("status").GetString().ShouldBe("InTheWorks");
    }

    [Fact]
    public async Task Each_service_reports_ready()
    {
        var response = await deployment.Gateway().GetAsync("/health/ready", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
