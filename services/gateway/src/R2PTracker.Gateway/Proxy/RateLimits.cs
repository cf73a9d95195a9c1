using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace R2PTracker.Gateway.Proxy;

/// <summary>
/// Per-client fixed windows, sized in configuration (RateLimits:*): generous for public reads
/// (every page, feed, export, API read and the live stream), tight for subscribing. Refusals are
/// 429 problem details with Retry-After.
/// </summary>
public static class RateLimits
{
    public const string PublicReads = "public-reads";
    public const string Subscribe = "subscribe";
    public const string Submissions = "submissions";

    public static void AddClientRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(PublicReads, http => PerClient(http, Limits(http).PublicReadsPerMinute));
            o.AddPolicy(Subscribe, http => PerClient(http, Limits(http).SubscriptionsPerMinute));
            o.AddPolicy(Submissions, http => PerClient(http, Limits(http).SubmissionsPerMinute));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                await TooManyRequests(context.HttpContext, retryAfter, "Slow down");
            };
        });
    }

    /// <summary>A 429 problem with Retry-After, in whole seconds.</summary>
    public static Task TooManyRequests(HttpContext http, TimeSpan retryAfter, string what)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
            detail: $"{what}: try again in {seconds} s.").ExecuteAsync(http);
    }

    private static RateLimitOptions Limits(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    private static RateLimitPartition<string> PerClient(HttpContext http, int perMinute) =>
        IsStaffWrite(http)
            ? RateLimitPartition.GetNoLimiter("staff-writes")
            : RateLimitPartition.GetFixedWindowLimiter(TrustedProxies.ClientKey(http), _ => new FixedWindowRateLimiterOptions
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
        // A public submission is limited however it is sent: an Authorization header does not lift its limit.
        && !Staff.SubmissionRoutes.IsPublic(http.Request.Path.Value ?? "")
        && (http.Request.Headers.Authorization.Count > 0 || http.User.Identity?.IsAuthenticated == true);
}
