using System.Net;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>Every public route counts against the client's public-reads window, and the live stream is capped.</summary>
public class PublicRouteLimitTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/", "198.51.100.1")]
    [InlineData("/pledges/kh-r2p-1", "198.51.100.2")]
    [InlineData("/api/live", "198.51.100.3")]
    [InlineData("/feeds/pledges.atom", "198.51.100.4")]
    [InlineData("/api/export/events.ndjson", "198.51.100.5")]
    [InlineData("/sign-in", "198.51.100.6")]
    [InlineData("/api/admin/staff", "198.51.100.7")]
    [InlineData("/api/pledges/kh-r2p-1/timeline", "198.51.100.8")]
    public async Task A_client_over_its_public_reads_per_minute_gets_429_problem_details(string path, string address)
    {
        await using var gateway = await GatewayVariant.StartAsync(app, new Dictionary<string, string> { ["RateLimits:PublicReadsPerMinute"] = "2" });
        using var client = gateway.Client(address);
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, Ct);
            allowed.StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests, $"request {i + 1} to {path}");
        }

        using var refused = await client.GetAsync(path, Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, path);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        // Another client is not held back by this one.
        using var other = gateway.Client("203.0.113.99");
        (await other.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, Ct))
            .StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Live_streams_beyond_the_cap_per_client_get_429_and_beyond_the_total_cap_503()
    {
        await using var gateway = await GatewayVariant.StartAsync(app, new Dictionary<string, string>
        {
            ["Live:MaxConnectionsPerClient"] = "2",
            ["Live:MaxConnections"] = "3",
        });
        async Task<HttpResponseMessage> OpenAsync(string address) =>
            await gateway.Client(address).SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/live"), HttpCompletionOption.ResponseHeadersRead, Ct);

        var a1 = await OpenAsync("192.0.2.10");
        using var a2 = await OpenAsync("192.0.2.10");
        a1.StatusCode.ShouldBe(HttpStatusCode.OK);
        a2.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var a3 = await OpenAsync("192.0.2.10");
        a3.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        a3.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        a3.Headers.RetryAfter.ShouldNotBeNull();

        using var b1 = await OpenAsync("192.0.2.11");
        b1.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var c1 = await OpenAsync("192.0.2.12");
        c1.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var problem = JsonDocument.Parse(await c1.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(503);
        c1.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        // A closed stream frees its place.
        a1.Dispose();
        var reopened = await R2PTracker.Testing.TestEnvironment.Eventually(async () =>
        {
            var response = await OpenAsync("192.0.2.12");
            if (response.StatusCode == HttpStatusCode.OK) return response;
            response.Dispose();
            return null;
        }, TimeSpan.FromSeconds(10), "a place to free up");
        reopened.Dispose();
    }
}
