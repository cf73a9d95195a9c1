using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace R2PTracker.ServiceDefaults;

/// <summary>
/// The gateway verifies a staff token, then signs a short-lived JWT naming the staff member;
/// backends accept writes only with such a JWT. The HMAC key (InternalAuth:SigningKey, at least
/// 32 bytes) is shared by the gateway and the backends that verify it, and never leaves the
/// deployment. Each token is minted for one backend (its audience), so a token that reaches one
/// backend cannot be replayed against another; each carries a fresh id (jti), and a backend accepts
/// each id once (<see cref="IJtiStore"/>), so a token captured on the internal network cannot be
/// sent again, to that instance or another, within its lifetime.
/// </summary>
public static class InternalAuth
{
    public const string Issuer = "r2p-gateway";

    /// <summary>One audience per backend that accepts the gateway's tokens.</summary>
    public static class Audiences
    {
        public const string Commitments = "r2p-commitments";
        public const string Notifications = "r2p-notifications";
    }
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

    /// <summary>
    /// Accepts the gateway's tokens minted for <paramref name="audience"/> (one of <see cref="Audiences"/>) only,
    /// each once: the ids of accepted tokens are kept in <paramref name="jtiSchema"/> (the service's own schema)
    /// of the process's PostgreSQL, shared by all its instances.
    /// </summary>
    public static WebApplicationBuilder AddInternalAuthentication(this WebApplicationBuilder builder, string audience, string jtiSchema)
    {
        var key = SigningKey(builder.Configuration);
        builder.Services.AddSingleton(sp => new PostgresJtiStore(sp.GetRequiredService<NpgsqlDataSource>(), jtiSchema));
        builder.Services.AddSingleton<IJtiStore>(sp => sp.GetRequiredService<PostgresJtiStore>());
        builder.Services.AddHostedService<JtiStoreMaintenance>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = ValidationParameters(key, audience);
                o.Events = new JwtBearerEvents { OnTokenValidated = AcceptOnceAsync };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicy, p => p.RequireAuthenticatedUser().RequireClaim(NameClaim))
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireClaim(NameClaim).RequireClaim(RoleClaim, "admin"));
        return builder;
    }

    /// <summary>
    /// Fails the authentication (so a write answers 401) of a token without an id, or whose id was
    /// accepted before. Runs after the signature, audience and lifetime checks, so only the gateway's
    /// own valid tokens reach the database. A database that cannot be reached throws, and the request
    /// is answered 503 like any other that needs the store.
    /// </summary>
    private static async Task AcceptOnceAsync(TokenValidatedContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InternalAuth));
        if (context.SecurityToken is not JsonWebToken { Id: { Length: > 0 } jti } token)
        {
            logger.LogWarning("Refused an internal token without an id (jti) from {Remote}", context.HttpContext.Connection.RemoteIpAddress);
            context.Fail("The internal token has no id (jti).");
            return;
        }
        var store = context.HttpContext.RequestServices.GetRequiredService<IJtiStore>();
        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(token.ValidTo, DateTimeKind.Utc));
        if (!await store.TryConsumeAsync(jti, expiresAt, context.HttpContext.RequestAborted))
        {
            logger.LogWarning("Refused a replayed internal token {Jti} naming {Staff} from {Remote}",
                jti, context.Principal?.FindFirst(NameClaim)?.Value, context.HttpContext.Connection.RemoteIpAddress);
            context.Fail("The internal token was already used.");
        }
    }

    public static TokenValidationParameters ValidationParameters(SymmetricSecurityKey key, string audience) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = NameClaim,
        RoleClaimType = RoleClaim,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(5),
    };

    /// <summary>A token for one backend (<paramref name="audience"/>, commitments unless said), valid for <see cref="Lifetime"/>.</summary>
    public static string IssueToken(SymmetricSecurityKey key, string staffName, string role, DateTimeOffset now,
        string audience = Audiences.Commitments) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + Lifetime).UtcDateTime,
            Subject = new ClaimsIdentity([
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim(NameClaim, staffName),
                new Claim(RoleClaim, role),
            ]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });

    public static string StaffName(this ClaimsPrincipal user) =>
        user.FindFirst(NameClaim)?.Value ?? throw new InvalidOperationException("No staff name on the request.");
}
