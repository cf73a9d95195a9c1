using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace R2PTracker.Gateway.Proxy;

/// <summary>
/// Per-client fixed windows, sized in configuration (RateLimits:*): generous for public reads,
/// tight for subscribing. Refusals are 429 problem details with Retry-After.
/// </summary>
public static class RateLimits
{
    public const string PublicReads = "public-reads";
    public const string Subscribe = "subscribe";

    public static void AddClientRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var reads = configuration.GetValue("RateLimits:PublicReadsPerMinute", 600);
        var subscribe = configuration.GetValue("RateLimits:SubscriptionsPerMinute", 10);
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(PublicReads, http => PerClient(http, reads));
            o.AddPolicy(Subscribe, http => PerClient(http, subscribe));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                    detail: $"Slow down: try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} s.").ExecuteAsync(http);
            };
        });
    }

    private static RateLimitPartition<string> PerClient(HttpContext http, int perMinute) =>
        IsStaffWrite(http)
            ? RateLimitPartition.GetNoLimiter("staff-writes")
            : RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>
    /// A write carrying staff credentials is not a public read: it is authenticated before it is
    /// forwarded, and a bad token there counts against the failed sign-in limit instead.
    /// </summary>
    public static bool IsStaffWrite(HttpContext http) =>
        !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
        && http.Request.Path.StartsWithSegments("/api/pledges")
        && (http.Request.Headers.Authorization.Count > 0 || http.User.Identity?.IsAuthenticated == true);
}
