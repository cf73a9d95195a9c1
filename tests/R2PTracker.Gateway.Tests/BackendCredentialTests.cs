using System.Net;
using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using R2PTracker.ServiceDefaults;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>
/// The client's credentials stop at the gateway: no backend sees the staff or anti-forgery cookie,
/// nor the client's Authorization header, except a subscription's manage token on the routes that
/// manage subscriptions; a staff write carries the gateway's own JWT instead.
/// </summary>
public class BackendCredentialTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Cookies = "r2p_staff=stolen-session; r2p_csrf=stolen-csrf";

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<RecordedRequest> ForwardedAsync(HttpMethod method, string path, string? authorization)
    {
        var request = new HttpRequestMessage(method, path);
        if (method != HttpMethod.Get) request.Content = JsonContent.Create(new { status = "Kept" });
        request.Headers.TryAddWithoutValidation("Cookie", Cookies);
        request.Headers.TryAddWithoutValidation("X-CSRF-TOKEN", "stolen-csrf");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        // A client without a cookie container, so the Cookie header goes as written.
        using var client = _gateway.Factory.CreateClient();
        (await client.SendAsync(request, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return _gateway.Backend.Requests.Last(r => r.Path == path);
    }

    [Theory]
    [InlineData("/api/tallies")]
    [InlineData("/api/pledges")]
    [InlineData("/api/pledges/kh-r2p-1/timeline")]
    [InlineData("/feeds/pledges.atom")]
    [InlineData("/api/export/pledges.json")]
    [InlineData("/api/subscriptions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/deliveries")]
    public async Task Reads_reach_the_backend_without_cookies_or_the_clients_authorization(string path)
    {
        var forwarded = await ForwardedAsync(HttpMethod.Get, path, "Bearer r2p_a-staff-token");
        forwarded.Header("Cookie").ShouldBeNull();
        forwarded.Header("Authorization").ShouldBeNull();
        forwarded.Header("X-CSRF-TOKEN").ShouldBeNull();
    }

    [Fact]
    public async Task Subscribing_reaches_notifications_without_cookies_or_authorization()
    {
        var forwarded = await ForwardedAsync(HttpMethod.Post, "/api/subscriptions", "Bearer r2pm_not-needed-here");
        forwarded.Header("Cookie").ShouldBeNull();
        forwarded.Header("Authorization").ShouldBeNull();
    }

    [Fact]
    public async Task Managing_a_subscription_passes_on_its_manage_token_only()
    {
        const string path = "/api/subscriptions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/deliveries";
        var manage = await ForwardedAsync(HttpMethod.Get, path, "Bearer r2pm_the-manage-token");
        manage.Header("Authorization").ShouldBe("Bearer r2pm_the-manage-token");
        manage.Header("Cookie").ShouldBeNull();
    }

    [Fact]
    public async Task A_staff_write_reaches_commitments_with_the_gateways_jwt_for_commitments_and_no_cookie()
    {
        var token = await app.Staff.AddAsync("Jwt Jorani", "editor", "tests", Ct);
        var forwarded = await ForwardedAsync(HttpMethod.Post, "/api/pledges/kh-r2p-1/status", "Bearer " + token);
        forwarded.Header("Cookie").ShouldBeNull();
        forwarded.Header("X-CSRF-TOKEN").ShouldBeNull();
        var jwt = forwarded.Header("Authorization").ShouldNotBeNull();
        jwt.ShouldNotContain(token);
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(jwt["Bearer ".Length..],
            InternalAuth.ValidationParameters(InternalAuth.KeyFrom(TestEnvironment.SigningKey), InternalAuth.Audiences.Commitments));
        validated.IsValid.ShouldBeTrue();
        validated.Claims[InternalAuth.NameClaim].ShouldBe("Jwt Jorani");
        ((string)validated.Claims[JwtRegisteredClaimNames.Jti]).ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Each_staff_write_reaches_commitments_with_a_token_of_its_own()
    {
        // Commitments accepts each token once, so the gateway must not keep one per staff member.
        var token = await app.Staff.AddAsync("Twice Thida", "editor", "tests", Ct);
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var forwarded = await ForwardedAsync(HttpMethod.Post, "/api/pledges/kh-r2p-1/status", "Bearer " + token);
            ids.Add(new JsonWebToken(forwarded.Header("Authorization").ShouldNotBeNull()["Bearer ".Length..]).Id);
        }
        ids.Distinct().Count().ShouldBe(2);
    }
}
