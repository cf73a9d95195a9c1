using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace R2PTracker.Gateway;

/// <summary>
/// The gateway's settings, one class per area, bound from the section of the same name and
/// validated when the host starts, so a bad value stops the start instead of the first request.
/// The defaults here are the ones written out in appsettings.json (a test keeps them equal).
/// Durations are TimeSpan strings ("hh:mm:ss", "d.hh:mm:ss"), as YARP's own settings are.
/// </summary>
public static class Settings
{
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}

/// <summary>Per-client fixed windows of one minute.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Range(1, int.MaxValue)] public int PublicReadsPerMinute { get; set; } = 600;
    [Range(1, int.MaxValue)] public int SubscriptionsPerMinute { get; set; } = 10;
    [Range(1, int.MaxValue)] public int FailedSignInsPerMinute { get; set; } = 5;
    /// <summary>Public evidence submissions a client may send a minute (POST /api/pledges/{id}/submissions).</summary>
    [Range(1, int.MaxValue)] public int SubmissionsPerMinute { get; set; } = 5;
}

/// <summary>Request bodies: one limit for every route, and the import's own.</summary>
public sealed class RequestBodyOptions
{
    public const string Section = "RequestBody";

    [Range(1, long.MaxValue)] public long MaxBytes { get; set; } = 64 * 1024;
}

public sealed class ImportOptions
{
    public const string Section = "Import";

    /// <summary>As commitments has it (Import:MaxBodyBytes there too).</summary>
    [Range(1, long.MaxValue)] public long MaxBodyBytes { get; set; } = 512L * 1024 * 1024;
}

/// <summary>Forwarding GET/HEAD again when a backend could not be reached.</summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    [Range(1, 10)] public int GetAttempts { get; set; } = 3;
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")] public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}

public sealed class OutputCacheSettings
{
    public const string Section = "OutputCache";

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan Expiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The whole cache's memory; entries beyond it are not stored.</summary>
    [Range(1024 * 1024, long.MaxValue)] public long SizeLimitBytes { get; set; } = 100L * 1024 * 1024;
}

/// <summary>Server-Sent Events (/api/live): each open connection holds a little memory for as long as it lasts.</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    [Range(1, int.MaxValue)] public int MaxConnectionsPerClient { get; set; } = 20;
    [Range(1, int.MaxValue)] public int MaxConnections { get; set; } = 1000;
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")] public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>The dashboard's staff cookie: it slides while used, and ends at the absolute lifetime whatever happens.</summary>
public sealed class StaffSessionOptions
{
    public const string Section = "StaffSessions";

    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")] public TimeSpan SlidingLifetime { get; set; } = TimeSpan.FromHours(8);
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")] public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>
/// Transport security. Both off by default: locally the gateway answers plain HTTP on loopback.
/// Behind a TLS-terminating proxy, name it in ForwardedHeaders so X-Forwarded-Proto is believed.
/// </summary>
public sealed class TransportSecurityOptions
{
    public const string Section = "TransportSecurity";

    /// <summary>Strict-Transport-Security on every answer given over HTTPS.</summary>
    public bool Hsts { get; set; }

    [Range(typeof(TimeSpan), "00:00:00", "730.00:00:00")] public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Plain-HTTP requests (but health probes) are redirected (308) to HTTPS on <see cref="HttpsPort"/>.</summary>
    public bool HttpsRedirect { get; set; }

    [Range(1, 65535)] public int HttpsPort { get; set; } = 443;
}

/// <summary>The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated; none by default).</summary>
public sealed class TrustedProxyOptions : IValidatableObject
{
    public const string Section = "ForwardedHeaders";

    public string KnownNetworks { get; set; } = "";
    public string KnownProxies { get; set; } = "";

    public IEnumerable<IPNetwork> Networks() => List(KnownNetworks).Select(IPNetwork.Parse);
    public IEnumerable<IPAddress> Proxies() => List(KnownProxies).Select(IPAddress.Parse);

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        foreach (var network in List(KnownNetworks).Where(n => !IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"'{network}' is not a network in CIDR notation.", [nameof(KnownNetworks)]);
        foreach (var proxy in List(KnownProxies).Where(p => !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"'{proxy}' is not an IP address.", [nameof(KnownProxies)]);
    }

    private static IEnumerable<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
