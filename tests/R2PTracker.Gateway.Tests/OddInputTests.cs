using System.Net;
using System.Text;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>No input makes the gateway answer 500: odd paths, parameters, headers and bodies get 4xx (or the backend's answer).</summary>
public class OddInputTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("GET", "/?asOf=%D9%A2%D9%A0%D9%A2%D9%A0", null, null, null)]
    [InlineData("GET", "/?status=%00&sort=%FF", null, null, null)]
    [InlineData("GET", "/pledges/%2e%2e%2f%2e%2e", null, null, null)]
    [InlineData("GET", "/pledges/kh-r2p-1?axis=sideways&asOf=2016-13-45", null, null, null)]
    [InlineData("GET", "/sign-in?returnUrl=%00javascript:alert(1)", null, null, null)]
    [InlineData("GET", "/api/live?lastEventId=99999999999999999999999", null, null, null)]
    [InlineData("GET", "/api/admin/staff", "Authorization", "Bearer", null)]
    [InlineData("GET", "/api/admin/staff", "Authorization", "Basic YWRtaW46YWRtaW4=", null)]
    [InlineData("DELETE", "/api/admin/staff/not-a-guid", "Authorization", "Bearer r2p_x", null)]
    [InlineData("POST", "/api/admin/staff", "Authorization", "Bearer r2p_x", "[")]
    [InlineData("POST", "/api/pledges/kh-r2p-1/status", "Authorization", "Bearer", "{}")]
    [InlineData("POST", "/api/pledges/kh-r2p-1/status", "Authorization", "Bearer r2p_" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "{}")]
    [InlineData("POST", "/api/import", "Cookie", "r2p_staff=garbage", "{}")]
    [InlineData("POST", "/auth/sign-out", "Cookie", "r2p_staff=garbage; r2p_csrf=garbage", "")]
    [InlineData("GET", "/api/live", "Last-Event-ID", "-1", null)]
    public async Task An_odd_request_is_never_a_500(string method, string url, string? header, string? value, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (header is not null) request.Headers.TryAddWithoutValidation(header, value);
        using var client = _gateway.Factory.CreateClient(new() { AllowAutoRedirect = false });
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        ((int)response.StatusCode).ShouldBeLessThan(500, $"{method} {url}");
    }
}
