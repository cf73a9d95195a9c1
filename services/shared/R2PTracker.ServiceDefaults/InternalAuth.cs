using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace R2PTracker.ServiceDefaults;

/// <summary>
/// The gateway verifies a staff token, then signs a short-lived JWT naming the staff member;
/// backends accept writes only with such a JWT. The HMAC key (InternalAuth:SigningKey, at least
/// 32 bytes) is shared by the three services and never leaves the deployment.
/// </summary>
public static class InternalAuth
{
    public const string Issuer = "r2p-gateway";
    public const string Audience = "r2p-services";
    public const string StaffPolicy = "staff";
    public const string AdminPolicy = "admin";
    public const string NameClaim = "name";
    public const string RoleClaim = "role";
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    public static SymmetricSecurityKey SigningKey(IConfiguration configuration)
    {
        var key = configuration["InternalAuth:SigningKey"];
        if (string.IsNullOrWhiteSpace(key) || Encoding.UTF8.GetByteCount(key) < 32)
        {
            throw new InvalidOperationException(
                "InternalAuth:SigningKey must be set to a secret of at least 32 characters (env InternalAuth__SigningKey).");
        }
        return KeyFrom(key);
    }

    public static SymmetricSecurityKey KeyFrom(string secret) => new(Encoding.UTF8.GetBytes(secret));

    public static WebApplicationBuilder AddInternalAuthentication(this WebApplicationBuilder builder)
    {
        var key = SigningKey(builder.Configuration);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = Issuer,
                    ValidAudience = Audience,
                    IssuerSigningKey = key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = NameClaim,
                    RoleClaimType = RoleClaim,
                    ClockSkew = TimeSpan.FromSeconds(5),
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicy, p => p.RequireAuthenticatedUser().RequireClaim(NameClaim))
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireClaim(NameClaim).RequireClaim(RoleClaim, "admin"));
        return builder;
    }

    public static string IssueToken(SymmetricSecurityKey key, string staffName, string role, DateTimeOffset now) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + Lifetime).UtcDateTime,
            Subject = new ClaimsIdentity([new Claim(NameClaim, staffName), new Claim(RoleClaim, role)]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });

    public static string StaffName(this ClaimsPrincipal user) =>
        user.FindFirst(NameClaim)?.Value ?? throw new InvalidOperationException("No staff name on the request.");
}
