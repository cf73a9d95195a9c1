using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using R2PTracker.Gateway.Dashboard;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// Dashboard staff sign in with their token once; the gateway then keeps an HttpOnly,
/// SameSite=Strict cookie naming the staff account. The account is re-checked on every use, so
/// revoking a token ends its sessions too. The cookie slides (StaffSessions:SlidingLifetime, 8 h,
/// renewed while used) but never outlives StaffSessions:AbsoluteLifetime (12 h) from the sign-in,
/// which it carries as a claim, since the ticket's own issue time moves with every renewal.
/// </summary>
public static class StaffSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "r2p_staff";
    public const string IdClaim = "sid";
    public const string SignedInClaim = "signed_in";

    public static void AddStaffSessions(this IServiceCollection services)
    {
        services.AddSettings<StaffSessionOptions>(StaffSessionOptions.Section);
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.LoginPath = "/sign-in";
            o.Events.OnRedirectToLogin = ctx =>
            {
                if (ctx.Request.Path.StartsWithSegments("/api")) ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                else ctx.Response.Redirect(ctx.RedirectUri);
                return Task.CompletedTask;
            };
            o.Events.OnValidatePrincipal = async ctx =>
            {
                var lifetime = ctx.HttpContext.RequestServices.GetRequiredService<IOptions<StaffSessionOptions>>().Value.AbsoluteLifetime;
                var now = ctx.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
                if (SignedInAt(ctx.Principal) is { } signedIn && now - signedIn < lifetime) return;
                ctx.RejectPrincipal();
                await ctx.HttpContext.SignOutAsync(Scheme);
            };
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<StaffSessionOptions>, TimeProvider>((o, sessions, clock) =>
        {
            o.ExpireTimeSpan = sessions.Value.SlidingLifetime;
            o.TimeProvider = clock;
        });
        services.AddAuthorization();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.FormFieldName = "__csrf";
            o.Cookie.Name = "r2p_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
    }

    public static Task SignInAsync(HttpContext http, StaffMember staff) =>
        http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, staff.Name),
            new Claim(ClaimTypes.Role, staff.Role),
            new Claim(IdClaim, staff.Id.ToString()),
            new Claim(SignedInClaim, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], Scheme)));

    private static DateTimeOffset? SignedInAt(ClaimsPrincipal? principal) =>
        long.TryParse(principal?.FindFirstValue(SignedInClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>The signed-in staff member, if the cookie is valid and the account still active.</summary>
    public static async Task<StaffIdentity?> CurrentAsync(HttpContext http, StaffStore store)
    {
        if (http.User.Identity?.IsAuthenticated != true) return null;
        if (!Guid.TryParse(http.User.FindFirstValue(IdClaim), out var id)) return null;
        var staff = await store.FindActiveByIdAsync(id, http.RequestAborted);
        if (staff is null)
        {
            await http.SignOutAsync(Scheme);
            return null;
        }
        return new StaffIdentity(staff.Id, staff.Name, staff.Role);
    }
}
