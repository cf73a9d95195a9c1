using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using R2PTracker.Gateway.Staff;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

public class GatewayBehaviourTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backend_that_is_down_gives_problem_details_not_a_hang()
    {
        var response = await app.Client().GetAsync("/api/pledges", Ct);
        ((int)response.StatusCode).ShouldBeOneOf(502, 503);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Subscribing_too_often_gets_429_with_retry_after()
    {
        var client = app.Client();
        HttpResponseMessage? last = null;
        for (var i = 0; i <= GatewayApp.SubscriptionsPerMinute; i++)
        {
            last = await client.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url = "https://example.org/hook" }, Ct);
            if (i < GatewayApp.SubscriptionsPerMinute) last.StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
        }
        last!.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        last.Headers.RetryAfter.ShouldNotBeNull();
        last.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public void Failed_sign_ins_beyond_the_limit_are_refused_per_client()
    {
        var limiter = new SignInLimiter(Options.Create(new RateLimitOptions { FailedSignInsPerMinute = 2 }));
        var attacker = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("203.0.113.7") } };
        var neighbour = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("203.0.113.8") } };

        limiter.IsBlocked(attacker).ShouldBeFalse();
        limiter.RecordFailure(attacker);
        limiter.IsBlocked(attacker).ShouldBeFalse();
        limiter.RecordFailure(attacker);
        limiter.IsBlocked(attacker).ShouldBeTrue();
        limiter.IsBlocked(neighbour).ShouldBeFalse();
    }

    [Fact]
    public async Task Signing_in_sets_an_http_only_same_site_cookie_and_a_bad_token_is_refused()
    {
        var token = await app.Staff.AddAsync("Cookie Chenda", "editor", "tests", Ct);
        var client = app.Client(followRedirects: false);

        var bad = await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", "r2p_wrong"), new("returnUrl", "/")]), Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        bad.Headers.Contains("Set-Cookie").ShouldBeFalse();

        var good = await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "https://evil.example/")]), Ct);
        good.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        good.Headers.Location!.ToString().ShouldBe("/");
        var cookie = good.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("r2p_staff=", StringComparison.Ordinal));
        cookie.ToLowerInvariant().ShouldContain("httponly");
        cookie.ToLowerInvariant().ShouldContain("samesite=strict");
        cookie.ShouldNotContain(token);
    }

    [Fact]
    public async Task A_cookie_authenticated_write_without_the_anti_forgery_header_is_refused()
    {
        var token = await app.Staff.AddAsync("Csrf Chanthy", "editor", "tests", Ct);
        var client = app.Client(followRedirects: false);
        (await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var forged = new HttpRequestMessage(HttpMethod.Post, "/api/pledges/kh-r2p-1/status") { Content = JsonContent.Create(new { status = "Kept" }) };
        forged.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await client.SendAsync(forged, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Admins_manage_staff_through_the_admin_endpoints_and_editors_may_not()
    {
        var adminToken = await app.Staff.AddAsync("Admin Arun", "admin", "tests", Ct);
        var editorToken = await app.Staff.AddAsync("Editor Eng", "editor", "tests", Ct);
        var admin = app.Client();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", adminToken);
        var editor = app.Client();
        editor.DefaultRequestHeaders.Authorization = new("Bearer", editorToken);

        (await app.Client().GetAsync("/api/admin/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await editor.GetAsync("/api/admin/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var invalid = await admin.PostAsJsonAsync("/api/admin/staff", new { name = "", role = "root" }, Ct);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.TryGetProperty("name", out _).ShouldBeTrue();
        errors.TryGetProperty("role", out _).ShouldBeTrue();

        var created = await admin.PostAsJsonAsync("/api/admin/staff", new { name = "New Navy", role = "editor" }, Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var newToken = body.GetProperty("token").GetString()!;
        var id = body.GetProperty("id").GetGuid();
        async Task<JsonElement> EntryAsync()
        {
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/admin/staff", Ct);
            list.GetRawText().ShouldNotContain(newToken);
            return list.EnumerateArray().Single(a => a.GetProperty("id").GetGuid() == id);
        }

        // The list tells when a token was last used: not yet, then once it signs a request.
        (await EntryAsync()).GetProperty("lastUsedAt").ValueKind.ShouldBe(JsonValueKind.Null);
        (await app.Staff.FindByTokenAsync(newToken, Ct))!.Name.ShouldBe("New Navy");
        (await EntryAsync()).GetProperty("lastUsedAt").ValueKind.ShouldBe(JsonValueKind.String);

        (await admin.DeleteAsync($"/api/admin/staff/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await app.Staff.FindByTokenAsync(newToken, Ct)).ShouldBeNull();
        (await admin.DeleteAsync($"/api/admin/staff/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_oversized_write_is_refused_by_the_gateway_without_reaching_the_backend()
    {
        // The backend is down in this fixture: anything forwarded would come back 502/503.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/pledges/kh-r2p-1/progress")
        {
            Content = new StringContent("{\"reason\":\"" + new string('x', 70_000) + "\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", await app.Staff.AddAsync("Big Bopha", "editor", "tests", Ct));
        var response = await app.Client().SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
