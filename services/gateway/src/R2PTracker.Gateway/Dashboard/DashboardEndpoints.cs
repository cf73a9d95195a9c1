using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using R2PTracker.Gateway.Caching;
using R2PTracker.Gateway.Dashboard.Components;
using R2PTracker.Gateway.Staff;

namespace R2PTracker.Gateway.Dashboard;

/// <summary>Server-rendered dashboard pages (Razor components, which escape all text).</summary>
public static class DashboardEndpoints
{
    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet("/", async (HttpContext http, CommitmentsClient commitments, StaffStore store, IAntiforgery antiforgery,
            string? asOf, string? axis, string? status, CancellationToken ct) =>
        {
            var staff = await StaffSession.CurrentAsync(http, store);
            string? error = null;
            if (!string.IsNullOrEmpty(asOf) && !DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                error = "'As of' must be a date (YYYY-MM-DD).";
                asOf = null;
            }
            if (axis is not (null or "" or "occurred" or "recorded")) { error = "'Date axis' must be occurred or recorded."; axis = null; }
            if (!string.IsNullOrEmpty(status) && !StatusText.All.Contains(status)) { error = "Unknown status."; status = null; }

            IReadOnlyList<PledgeView> pledges = [];
            try
            {
                pledges = await commitments.ListAsync(asOf, string.IsNullOrEmpty(asOf) ? null : axis, ct);
            }
            catch (Exception e) when (e is HttpRequestException or BackendException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = "The pledge record is unavailable right now; try again shortly.";
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }
            return new RazorComponentResult<PledgeListPage>(new
            {
                Pledges = pledges, AsOf = asOf, Axis = axis, StatusFilter = status, Error = error, Staff = staff,
                CsrfToken = staff is null ? null : antiforgery.GetAndStoreTokens(http).RequestToken,
            });
        }).CacheOutput(CachePolicies.PublicReads);

        app.MapGet("/pledges/{id}", async (string id, HttpContext http, CommitmentsClient commitments, StaffStore store,
            IAntiforgery antiforgery, CancellationToken ct) =>
        {
            var staff = await StaffSession.CurrentAsync(http, store);
            var pledge = await commitments.GetAsync(id, ct);
            if (pledge is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return (IResult)new RazorComponentResult<ErrorPage>(new { Title = "Pledge not found", Message = $"No pledge has the id '{id}'." });
            }
            var timeline = await commitments.TimelineAsync(id, ct);
            return new RazorComponentResult<PledgePage>(new
            {
                Pledge = pledge, Timeline = timeline, Staff = staff,
                CsrfToken = staff is null ? null : antiforgery.GetAndStoreTokens(http).RequestToken,
            });
        }).CacheOutput(CachePolicies.PublicReads);

        app.MapGet("/sign-in", (string? returnUrl) =>
            new RazorComponentResult<SignInPage>(new { ReturnUrl = returnUrl }));

        app.MapPost("/auth/sign-in", async (HttpContext http, StaffStore store, SignInLimiter limiter,
            ILoggerFactory loggers) =>
        {
            var logger = loggers.CreateLogger("R2PTracker.Gateway.SignIn");
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var returnUrl = form["returnUrl"].ToString();
            if (!IsLocal(returnUrl)) returnUrl = "/";
            if (limiter.IsBlocked(http))
            {
                logger.LogWarning("Sign-in refused for {Remote}: too many failed attempts", http.Connection.RemoteIpAddress);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = ((int)limiter.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return (IResult)new RazorComponentResult<SignInPage>(new { Error = "Too many failed attempts. Wait a minute and try again.", ReturnUrl = returnUrl });
            }
            var staff = await store.FindByTokenAsync(form["token"].ToString().Trim(), http.RequestAborted);
            if (staff is null)
            {
                limiter.RecordFailure(http);
                logger.LogWarning("Sign-in refused for {Remote}: unknown or revoked token", http.Connection.RemoteIpAddress);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return new RazorComponentResult<SignInPage>(new { Error = "That token is not valid.", ReturnUrl = returnUrl });
            }
            await StaffSession.SignInAsync(http, staff);
            logger.LogInformation("{Staff} ({Role}) signed in from {Remote}", staff.Name, staff.Role, http.Connection.RemoteIpAddress);
            return Results.LocalRedirect(returnUrl);
        }).DisableAntiforgery();

        app.MapPost("/auth/sign-out", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http)) return Results.Problem(statusCode: 403, title: "Anti-forgery check failed.");
            await http.SignOutAsync(StaffSession.Scheme);
            return Results.LocalRedirect("/");
        }).DisableAntiforgery();
    }

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
