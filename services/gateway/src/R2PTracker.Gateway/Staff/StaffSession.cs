using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using R2PTracker.Gateway.Dashboard;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// Dashboard staff sign in with their token once; the gateway then keeps an HttpOnly,
/// SameSite=Strict cookie naming the staff account. The account is re-checked on every use, so
/// revoking a token ends its sessions too.
/// </summary>
public static class StaffSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string IdClaim = "sid";

    public static void AddStaffSessions(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "r2p_staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = "/sign-in";
            o.Events.OnRedirectToLogin = ctx =>
            {
                if (ctx.Request.Path.StartsWithSegments("/api")) ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                else ctx.Response.Redirect(ctx.RedirectUri);
                return Task.CompletedTask;
            };
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
        ], Scheme)));

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
