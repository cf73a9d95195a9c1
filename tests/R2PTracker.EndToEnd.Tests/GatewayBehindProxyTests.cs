using System.Net;
using System.Net.Http.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>
/// A gateway behind a proxy (an Ingress, a load balancer): it believes X-Forwarded-For and
/// X-Forwarded-Proto only from the networks named in ForwardedHeaders:KnownNetworks. Here the
/// test client plays the proxy, on loopback.
/// </summary>
public sealed class GatewayBehindProxyTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpStatusCode> SubscribeFromAsync(HttpClient gateway, string client)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions")
        {
            // Refused by notifications as incomplete (400): the rate limit counts the attempt all the same.
            Content = JsonContent.Create(new { kind = "webhook" }),
        };
        request.Headers.Add("X-Forwarded-For", client);
        return (await gateway.SendAsync(request, Ct)).StatusCode;
    }

    /// <summary>Signs in as staff, the proxy saying the request came over HTTPS; returns the session cookie's Set-Cookie, lower case.</summary>
    private async Task<string> StaffCookieOverHttpsAsync(HttpClient gateway)
    {
        var signIn = new HttpRequestMessage(HttpMethod.Post, "/auth/sign-in")
        {
            Content = new FormUrlEncodedContent([new("token", deployment.StaffToken), new("returnUrl", "/")]),
        };
        signIn.Headers.Add("X-Forwarded-Proto", "https");
        var response = await gateway.SendAsync(signIn, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("r2p_staff=", StringComparison.Ordinal)).ToLowerInvariant();
    }

    private async Task WithGatewayAsync(string knownNetworks, Func<HttpClient, Task> test)
    {
        var (process, url, home) = await deployment.AnotherGatewayAsync(new Dictionary<string, string>
        {
            ["ForwardedHeaders__KnownNetworks"] = knownNetworks,
            ["RateLimits__SubscriptionsPerMinute"] = "2",
        });
        try
        {
            using var gateway = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
            await test(gateway);
        }
        finally
        {
            await process.DisposeAsync();
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task From_a_known_proxy_each_forwarded_client_has_its_own_rate_limit_and_https_gets_a_secure_cookie() =>
        await WithGatewayAsync("127.0.0.0/8", async gateway =>
        {
            (await SubscribeFromAsync(gateway, "203.0.113.10")).ShouldNotBe(HttpStatusCode.TooManyRequests);
            (await SubscribeFromAsync(gateway, "203.0.113.10")).ShouldNotBe(HttpStatusCode.TooManyRequests);
            (await SubscribeFromAsync(gateway, "203.0.113.10")).ShouldBe(HttpStatusCode.TooManyRequests);
            (await SubscribeFromAsync(gateway, "203.0.113.11")).ShouldNotBe(HttpStatusCode.TooManyRequests);
            (await StaffCookieOverHttpsAsync(gateway)).ShouldContain("secure");
        });

    [Fact]
    public async Task From_anywhere_else_the_forwarded_headers_are_not_believed() =>
        // Only 10.0.0.0/8 is a proxy: the loopback client cannot pick its address with a header.
        await WithGatewayAsync("10.0.0.0/8", async gateway =>
        {
            (await SubscribeFromAsync(gateway, "203.0.113.20")).ShouldNotBe(HttpStatusCode.TooManyRequests);
            (await SubscribeFromAsync(gateway, "203.0.113.21")).ShouldNotBe(HttpStatusCode.TooManyRequests);
            (await SubscribeFromAsync(gateway, "203.0.113.22")).ShouldBe(HttpStatusCode.TooManyRequests);
            (await StaffCookieOverHttpsAsync(gateway)).ShouldNotContain("secure");
        });
}
