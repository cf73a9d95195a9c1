using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.IdentityModel.Tokens;
using R2PTracker.Gateway.Caching;
using R2PTracker.Gateway.Proxy;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// In front of YARP: a write to a pledge needs a staff member, either "Authorization: Bearer
/// &lt;staff token&gt;" (checked against its stored hash) or the dashboard's sign-in cookie plus a
/// matching anti-forgery header. For the backend the gateway mints a short-lived JWT naming the
/// staff member, for commitments' audience only, which <see cref="BackendCredentials"/> sends in
/// place of the client's credentials (which never reach a backend). A successful write evicts the
/// cached reads. POST /api/import is an admin's write with a large body (see <see cref="BodyLimits"/>).
/// </summary>
public sealed class StaffAuthentication(RequestDelegate next, StaffStore store, SymmetricSecurityKey signingKey,
    TimeProvider clock, SignInLimiter limiter, IAntiforgery antiforgery, IOutputCacheStore cache,
    ILogger<StaffAuthentication> logger)
{
    public const string ImportPath = "/api/import";

    /// <summary>The review queue: a staff read (never cached), authenticated like a write.</summary>
    public const string ProposalsPath = "/api/proposals";

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var import = request.Path.StartsWithSegments(ImportPath);
        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        // Staff-only to read as well: the review queue and the moderation queue. Sending a submission and its private links are public.
        var moderation = SubmissionRoutes.IsStaffOnly(request.Path.Value ?? "");
        var staffOnly = request.Path.StartsWithSegments(ProposalsPath) || moderation;
        if (!staffOnly && ((!request.Path.StartsWithSegments("/api/pledges") && !import) || safe || SubmissionRoutes.IsPublic(request.Path.Value ?? "")))
        {
            await next(http);
            return;
        }

        var staff = await AuthenticateAsync(http);
        if (staff is null) return;
        if (import && staff.Role != "admin")
        {
            logger.LogWarning("Refused an import by {Staff}: not an admin", staff.Name);
            await Refuse(http, StatusCodes.Status403Forbidden, "Admins only.", "Only an admin may import pledges.");
            return;
        }

        http.Items[BackendCredentials.InternalTokenItem] =
            InternalAuth.IssueToken(signingKey, staff.Name, staff.Role, clock.GetUtcNow(), InternalAuth.Audiences.Commitments);
        await next(http);
        if (http.Response.StatusCode is >= 200 and < 300 && !safe)
        {
            // An accepted submission changes the pledge it names, which its path does not: every cached read goes.
            if (import || moderation) await cache.EvictByTagAsync(CachePolicies.AllTag, http.RequestAborted);
            else await CachePolicies.EvictAsync(cache, CachePolicies.PledgeIdOf(http.Request.Path), http.RequestAborted);
        }
    }

    private async Task<StaffMember?> AuthenticateAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (limiter.IsBlocked(http))
            {
                await limiter.RefuseAsync(http);
                return null;
            }
            var byToken = await store.FindByTokenAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
            if (byToken is not null) return byToken;
            limiter.RecordFailure(http);
            logger.LogWarning("Refused a staff write to {Path} from {Remote}: unknown or revoked token", http.Request.Path, http.Connection.RemoteIpAddress);
            await Refuse(http, StatusCodes.Status401Unauthorized, "Staff sign-in required.",
                "The staff token is unknown or revoked.");
            return null;
        }

        var session = await StaffSession.CurrentAsync(http, store);
        if (session is not null)
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                logger.LogWarning("Refused a cookie-authenticated write to {Path} by {Staff}: missing or bad anti-forgery token", http.Request.Path, session.Name);
                await Refuse(http, StatusCodes.Status403Forbidden, "Anti-forgery check failed.",
                    "Reload the page and try again.");
                return null;
            }
            return new StaffMember(session.Id, session.Name, session.Role);
        }

        logger.LogWarning("Refused a staff write to {Path} from {Remote}: no credentials", http.Request.Path, http.Connection.RemoteIpAddress);
        await Refuse(http, StatusCodes.Status401Unauthorized, "Staff sign-in required.",
            "Writes need 'Authorization: Bearer <staff token>' or a dashboard sign-in.");
        return null;
    }

    private static async Task Refuse(HttpContext http, int status, string title, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized) http.Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(http);
    }
}
