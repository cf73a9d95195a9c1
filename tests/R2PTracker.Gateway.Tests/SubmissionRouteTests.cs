using System.Net;
using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>
/// Public submissions through the gateway: sending one and its private links are public and have a rate limit of
/// their own; the moderation queue and the verdicts need a staff member, reads included.
/// </summary>
public class SubmissionRouteTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() =>
        _gateway = await GatewayVariant.StartAsync(app, new Dictionary<string, string> { ["RateLimits:SubmissionsPerMinute"] = "2" });

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private static HttpRequestMessage Submit(string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/pledges/kh-r2p-1/submissions") { Content = JsonContent.Create(new { text = "A decree" }) };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    [Fact]
    public async Task A_submission_needs_no_staff_member_and_a_client_over_its_submissions_per_minute_gets_429_even_with_a_token()
    {
        var token = await app.Staff.AddAsync("Submitting Sreymom", "editor", "tests", Ct);
        using var client = _gateway.Client("198.51.100.61");
        (await client.SendAsync(Submit(), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var forwarded = _gateway.Backend.Requests.Last(r => r.Path == "/api/pledges/kh-r2p-1/submissions");
        forwarded.Header("Authorization").ShouldBeNull("a submission is never a staff member's");

        (await client.SendAsync(Submit("Bearer " + token), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var refused = await client.SendAsync(Submit("Bearer " + token), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "a staff token does not lift the submissions' limit");
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        _gateway.Backend.Count("/api/pledges/kh-r2p-1/submissions").ShouldBe(2);
        // Another client is not held back, and the public reads of this one are not either.
        (await _gateway.Client("198.51.100.62").SendAsync(Submit(), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/pledges/kh-r2p-1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GET", "/api/submissions")]
    [InlineData("GET", "/api/submissions?state=rejected")]
    [InlineData("POST", "/api/submissions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/acceptance")]
    [InlineData("POST", "/api/submissions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/rejection")]
    public async Task The_queue_and_the_verdicts_need_a_staff_member_and_reach_commitments_with_the_gateways_token(string method, string url)
    {
        var path = url.Split('?')[0];
        using var anonymous = _gateway.Client("198.51.100.63");
        var refused = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = method == "GET" ? null : JsonContent.Create(new { }) }, Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        _gateway.Backend.Count(path).ShouldBe(0);

        var token = await app.Staff.AddAsync("Moderating Mony", "editor", "tests", Ct);
        var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = method == "GET" ? null : JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        (await anonymous.SendAsync(request, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var forwarded = _gateway.Backend.Requests.Last(r => r.Path == path);
        var jwt = new JsonWebToken(forwarded.Header("Authorization")!["Bearer ".Length..]);
        jwt.Claims.ShouldContain(c => c.Value == "Moderating Mony");
    }

    [Theory]
    [InlineData("GET", "/api/submissions/status/Zm9yIHRoZSBzdWJtaXR0ZXIgb25seQ")]
    [InlineData("GET", "/api/submissions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/confirmation?token=t")]
    [InlineData("POST", "/api/submissions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/confirmation?token=t")]
    public async Task The_private_links_are_public_and_reach_commitments_without_credentials(string method, string url)
    {
        using var client = _gateway.Client("198.51.100.64");
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer r2p_not-a-staff-token");
        (await client.SendAsync(request, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var forwarded = _gateway.Backend.Requests.Last(r => r.Path == url.Split('?')[0]);
        forwarded.Header("Authorization").ShouldBeNull();
    }
}
