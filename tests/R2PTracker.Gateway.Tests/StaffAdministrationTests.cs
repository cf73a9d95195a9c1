using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>Staff sessions end at their absolute lifetime; staff administration is audit-logged; admin tokens go through the sign-in limiter.</summary>
public class StaffAdministrationTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A clock the test moves.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_staff_session_that_is_used_all_along_still_ends_at_its_absolute_lifetime()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayVariant.StartAsync(app, new Dictionary<string, string>
        {
            ["StaffSessions:SlidingLifetime"] = "08:00:00",
            ["StaffSessions:AbsoluteLifetime"] = "12:00:00",
        }, s => s.AddSingleton<TimeProvider>(clock));
        var token = await app.Staff.AddAsync("Session Sophea " + Guid.NewGuid().ToString("N")[..6], "admin", "tests", Ct);
        using var browser = gateway.Client("192.0.2.40");
        (await browser.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // Used every seven hours, the sliding cookie is renewed each time and would last for ever.
        clock.Now += TimeSpan.FromHours(7);
        (await browser.GetAsync("/api/admin/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Now += TimeSpan.FromHours(4.5);
        (await browser.GetAsync("/api/admin/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Now += TimeSpan.FromHours(1);
        (await browser.GetAsync("/api/admin/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_session_unused_past_its_sliding_lifetime_ends_too()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayVariant.StartAsync(app, services: s => s.AddSingleton<TimeProvider>(clock));
        var token = await app.Staff.AddAsync("Idle Ith " + Guid.NewGuid().ToString("N")[..6], "admin", "tests", Ct);
        using var browser = gateway.Client("192.0.2.41");
        await browser.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct);
        (await browser.GetAsync("/api/admin/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Now += TimeSpan.FromHours(8.5);
        (await browser.GetAsync("/api/admin/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Staff_additions_and_revocations_are_audit_logged_with_who_what_and_when_for_admins_to_read()
    {
        var adminName = "Auditor " + Guid.NewGuid().ToString("N")[..6];
        var admin = app.Client();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", await app.Staff.AddAsync(adminName, "admin", "tests", Ct));
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var created = await admin.PostAsJsonAsync("/api/admin/staff", new { name = "Audited Ann", role = "editor" }, Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        (await admin.DeleteAsync($"/api/admin/staff/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/admin/staff/audit", Ct);
        var entries = audit.EnumerateArray().Where(e => e.GetProperty("staffId").GetGuid() == id).ToList();
        entries.Select(e => e.GetProperty("action").GetString()).ShouldBe(["revoked", "added"]);
        entries.ShouldAllBe(e => e.GetProperty("actor").GetString() == adminName);
        entries.ShouldAllBe(e => e.GetProperty("staffName").GetString() == "Audited Ann" && e.GetProperty("role").GetString() == "editor");
        entries.ShouldAllBe(e => e.GetProperty("at").GetDateTimeOffset() > before);
        audit.GetRawText().ShouldNotContain("r2p_");
    }

    [Fact]
    public async Task The_staff_command_is_audit_logged_as_the_operating_system_user()
    {
        var name = "Cli Chea " + Guid.NewGuid().ToString("N")[..6];
        await app.Staff.AddAsync(name, "editor", R2PTracker.Gateway.Staff.StaffStore.CommandLineActor, Ct);
        (await app.Staff.RevokeAsync(name, R2PTracker.Gateway.Staff.StaffStore.CommandLineActor, Ct)).ShouldBe(1);
        var entries = (await app.Staff.AuditAsync(1000, Ct)).Where(e => e.StaffName == name).ToList();
        entries.Select(e => e.Action).ShouldBe(["revoked", "added"]);
        entries.ShouldAllBe(e => e.Actor == "cli:" + Environment.UserName);
    }

    [Fact]
    public async Task Editors_may_not_read_the_audit_log()
    {
        var editor = app.Client();
        editor.DefaultRequestHeaders.Authorization = new("Bearer", await app.Staff.AddAsync("Editor " + Guid.NewGuid().ToString("N")[..6], "editor", "tests", Ct));
        (await editor.GetAsync("/api/admin/staff/audit", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Client().GetAsync("/api/admin/staff/audit", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Bad_admin_bearer_tokens_count_as_failed_sign_ins_and_then_even_a_good_one_waits()
    {
        await using var gateway = await GatewayVariant.StartAsync(app, new Dictionary<string, string> { ["RateLimits:FailedSignInsPerMinute"] = "2" });
        var adminToken = await app.Staff.AddAsync("Limited " + Guid.NewGuid().ToString("N")[..6], "admin", "tests", Ct);
        async Task<HttpResponseMessage> ListAsync(string token, string address = "192.0.2.50")
        {
            using var client = gateway.Client(address);
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return await client.GetAsync("/api/admin/staff", Ct);
        }

        (await ListAsync("r2p_guess-1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ListAsync("r2p_guess-2")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var blocked = await ListAsync(adminToken);
        blocked.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        blocked.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        blocked.Headers.RetryAfter.ShouldNotBeNull();
        (await ListAsync(adminToken, "192.0.2.51")).StatusCode.ShouldBe(HttpStatusCode.OK, "another client is not blocked");
    }
}
