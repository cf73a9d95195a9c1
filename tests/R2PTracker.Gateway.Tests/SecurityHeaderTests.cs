using System.Net;
using System.Text.RegularExpressions;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>Security headers on every answer; HSTS and the redirect to HTTPS only when turned on.</summary>
public partial class SecurityHeaderTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void ShouldCarrySecurityHeaders(HttpResponseMessage response)
    {
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("script-src 'self'");
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldNotContain("unsafe-inline");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
    }

    [Theory]
    [InlineData("/sign-in")]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/api/tallies")]
    [InlineData("/api/no-such-route")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        var response = await app.Client().GetAsync(path, Ct);
        ShouldCarrySecurityHeaders(response);
    }

    [Fact]
    public async Task By_default_there_is_no_hsts_and_no_redirect_to_https()
    {
        var https = await app.Factory.CreateClient(new() { BaseAddress = new Uri("https://localhost") }).GetAsync("/sign-in", Ct);
        https.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        var http = await app.Factory.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/sign-in", Ct);
        http.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task With_the_settings_on_https_answers_carry_hsts_and_plain_http_is_redirected_but_health_probes()
    {
        await using var gateway = await GatewayVariant.StartAsync(app, new Dictionary<string, string>
        {
            ["TransportSecurity:Hsts"] = "true",
            ["TransportSecurity:HstsMaxAge"] = "180.00:00:00",
            ["TransportSecurity:HttpsRedirect"] = "true",
        });
        var https = await gateway.Client(baseAddress: "https://localhost").GetAsync("/sign-in", Ct);
        https.StatusCode.ShouldBe(HttpStatusCode.OK);
        https.Headers.GetValues("Strict-Transport-Security").Single().ShouldBe("max-age=15552000");
        ShouldCarrySecurityHeaders(https);

        var plain = await gateway.Client().GetAsync("/sign-in?returnUrl=/", Ct);
        plain.StatusCode.ShouldBe(HttpStatusCode.PermanentRedirect);
        plain.Headers.Location!.ToString().ShouldBe("https://localhost/sign-in?returnUrl=/");
        plain.Headers.Contains("Strict-Transport-Security").ShouldBeFalse("HSTS is only believed over HTTPS");

        (await gateway.Client().GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/sign-in")]
    [InlineData("/")]
    [InlineData("/pledges/kh-r2p-1")]
    public async Task The_dashboard_has_no_inline_script_style_or_event_handler(string path)
    {
        await using var gateway = await GatewayVariant.StartAsync(app);
        var html = await gateway.Client().GetStringAsync(path, Ct);
        html.ShouldContain("<script src=\"/app.js\"");
        InlineScript().IsMatch(html).ShouldBeFalse("a <script> without src");
        html.ShouldNotContain("<style", Case.Insensitive);
        StyleAttribute().IsMatch(html).ShouldBeFalse("a style attribute");
        EventHandler().IsMatch(html).ShouldBeFalse("an on… attribute");
        html.ShouldNotContain("javascript:", Case.Insensitive);
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    [GeneratedRegex(@"<[^>]+\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandler();
}
