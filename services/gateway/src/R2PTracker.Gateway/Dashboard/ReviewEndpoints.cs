using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Microsoft.IdentityModel.Tokens;
using R2PTracker.Gateway.Dashboard.Components;
using R2PTracker.Gateway.Dashboard.Localisation;
using R2PTracker.Gateway.Proxy;
using R2PTracker.Gateway.Staff;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway.Dashboard;

/// <summary>The review desk's page (staff): the open verdict proposals across pledges, each with approve and reject forms.</summary>
public static class ReviewEndpoints
{
    public const string Path = "/review";

    public static void MapReviewQueue(this WebApplication app) =>
        app.MapGet(Path, async (HttpContext http, CommitmentsClient commitments, StaffStore store, IAntiforgery antiforgery,
            SymmetricSecurityKey signingKey, TimeProvider clock, IStringLocalizer<DashboardText> t, string? cursor, CancellationToken ct) =>
        {
            // A staff page: never stored by a cache, and only for a signed-in staff member.
            http.Response.Headers.CacheControl = "no-store";
            var staff = await StaffSession.CurrentAsync(http, store);
            if (staff is null) return Results.Redirect("/sign-in?returnUrl=" + Uri.EscapeDataString(Path + http.Request.QueryString));
            ProposalQueuePage page = new([], null);
            string? error = null;
            try
            {
                // commitments' queue is a staff read: it takes the same internal token a staff write is forwarded with.
                var token = InternalAuth.IssueToken(signingKey, staff.Name, staff.Role, clock.GetUtcNow(), InternalAuth.Audiences.Commitments);
                page = await commitments.ProposalsAsync(token, cursor, ct);
            }
            catch (Exception e) when (e is HttpRequestException or BackendException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = t["List.Error.Unavailable"];
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }
            return new RazorComponentResult<ReviewPage>(new
            {
                Page = page, Error = error, Staff = staff, CsrfToken = antiforgery.GetAndStoreTokens(http).RequestToken,
            });
        }).RequireRateLimiting(RateLimits.PublicReads)
        .DashboardPage("The review desk (staff): open verdict proposals with approve and reject forms (HTML; redirects to sign-in).", 302, 429, 503);
}
