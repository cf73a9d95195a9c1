using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.IdentityModel.Tokens;
using R2PTracker.Gateway.Caching;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// In front of YARP: a write to a pledge needs a staff member, either "Authorization: Bearer
/// &lt;staff token&gt;" (checked against its stored hash) or the dashboard's sign-in cookie plus a
/// matching anti-forgery header. The credential is replaced by a short-lived JWT naming the
/// staff member, which the backends verify. Public reads go on without any Authorization
/// header, so a staff token never reaches a backend. A successful write evicts the cached reads.
/// POST /api/import is an admin's write with a large body.
/// </summary>
public sealed class StaffAuthentication(RequestDelegate next, StaffStore store, SymmetricSecurityKey signingKey,
    TimeProvider clock, SignInLimiter limiter, IAntiforgery antiforgery, IOutputCacheStore cache,
    ILogger<StaffAuthentication> logger, IConfiguration configuration)
{
    private readonly long importMaxBodyBytes = configuration.GetValue("Import:MaxBodyBytes", 512L * 1024 * 1024);

    /// <summary>The same limit as the commitments service's.</summary>
    public const long MaxWriteBodyBytes = 64 * 1024;

    public const string ImportPath = "/api/import";

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var import = request.Path.StartsWithSegments(ImportPath);
        if (!request.Path.StartsWithSegments("/api/pledges") && !import)
        {
            await next(http);
            return;
        }
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            request.Headers.Authorization = default;
            await next(http);
            return;
        }

        // Refused here rather than forwarded: commitments would refuse it too, and Kestrel closes a
        // connection after a 413, which YARP could otherwise reuse for the next write (a 502).
        // An import file is the one large body (Import:MaxBodyBytes, as commitments has it).
        var maxBody = import ? importMaxBodyBytes : MaxWriteBodyBytes;
        if (import && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBody;
        if (request.ContentLength > maxBody)
        {
            await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
                detail: import ? $"An import file may carry at most {maxBody} bytes." : $"A write may carry at most {MaxWriteBodyBytes / 1024} KiB.")
                .ExecuteAsync(http);
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

        request.Headers.Authorization = "Bearer " + InternalAuth.IssueToken(signingKey, staff.Name, staff.Role, clock.GetUtcNow());
        await next(http);
        if (http.Response.StatusCode is >= 200 and < 300)
        {
            if (import) await cache.EvictByTagAsync(CachePolicies.AllTag, http.RequestAborted);
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
                await Refuse(http, StatusCodes.Status429TooManyRequests, "Too many failed sign-ins.", "Wait a minute before trying again.");
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

    private async Task Refuse(HttpContext http, int status, string title, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized) http.Response.Headers.WWWAuthenticate = "Bearer";
        if (status == StatusCodes.Status429TooManyRequests) http.Response.Headers.RetryAfter = ((int)limiter.RetryAfter.TotalSeconds).ToString();
        await Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(http);
    }
}
