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

/// <summary>The dashboard's pages for public submissions: the submitter's private status page and the staff's moderation queue.</summary>
public static class SubmissionPages
{
    public static void MapSubmissionPages(this WebApplication app)
    {
        // Private: never cached, here or by a browser or proxy (the token is the page's secret).
        app.MapGet("/submissions/status/{token}", async (string token, HttpContext http, CommitmentsClient commitments,
            IStringLocalizer<DashboardText> t, CancellationToken ct) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            var submission = token.Length is < 20 or > 100 ? null : await commitments.SubmissionStatusAsync(token, ct);
            if (submission is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return (IResult)new RazorComponentResult<ErrorPage>(new { Title = t["Submission.Status.NotFound"].Value, Message = t["Submission.Status.NotFound"].Value });
            }
            return new RazorComponentResult<SubmissionStatusPage>(new { Submission = submission });
        }).RequireRateLimiting(RateLimits.PublicReads)
        .DashboardPage("A public submission's private status page, behind the link its submitter was given (HTML).", 404, 429);

        app.MapGet("/submissions", async (HttpContext http, string? cursor, CommitmentsClient commitments, StaffStore store, IAntiforgery antiforgery,
            SymmetricSecurityKey signingKey, TimeProvider clock, CancellationToken ct) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            var staff = await StaffSession.CurrentAsync(http, store);
            if (staff is null) return (IResult)Results.Redirect("/sign-in?returnUrl=%2Fsubmissions");
            var token = InternalAuth.IssueToken(signingKey, staff.Name, staff.Role, clock.GetUtcNow(), InternalAuth.Audiences.Commitments);
            var queue = await commitments.SubmissionsAsync("queued", cursor, token, ct);
            // Each pledge once, for its title and the version an acceptance is made at.
            var pledges = new Dictionary<string, PledgeView>();
            foreach (var id in queue.Items.Select(s => s.PledgeId).Distinct())
                if (await commitments.GetAsync(id, ct) is { } pledge) pledges[id] = pledge;
            return new RazorComponentResult<ModerationPage>(new
            {
                Queue = queue, Pledges = pledges, Staff = staff, CsrfToken = antiforgery.GetAndStoreTokens(http).RequestToken,
            });
        }).RequireRateLimiting(RateLimits.PublicReads)
        .DashboardPage("The moderation queue of public submissions (HTML, staff; others are sent to sign in).", 302, 429);
    }
}
