using Microsoft.IdentityModel.Tokens;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// In front of YARP: a write to a pledge needs "Authorization: Bearer &lt;staff token&gt;". The token is
/// checked against its stored hash and replaced by a short-lived JWT naming the staff member,
/// which the backends verify. Public reads go on without any Authorization header, so a staff
/// token never reaches a backend.
/// </summary>
public sealed class StaffAuthentication(RequestDelegate next, StaffStore store, SymmetricSecurityKey signingKey,
    TimeProvider clock, ILogger<StaffAuthentication> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!request.Path.StartsWithSegments("/api/pledges"))
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

        var header = request.Headers.Authorization.ToString();
        var staff = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? await store.FindByTokenAsync(header["Bearer ".Length..].Trim(), http.RequestAborted)
            : null;
        if (staff is null)
        {
            logger.LogWarning("Refused a staff write to {Path} from {Remote}: {Reason}", request.Path,
                http.Connection.RemoteIpAddress, header.Length == 0 ? "no token" : "unknown or revoked token");
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Staff sign-in required.",
                detail: "Writes need 'Authorization: Bearer <staff token>' with a valid, unrevoked staff token.").ExecuteAsync(http);
            return;
        }

        request.Headers.Authorization = "Bearer " + InternalAuth.IssueToken(signingKey, staff.Name, staff.Role, clock.GetUtcNow());
        await next(http);
    }
}
