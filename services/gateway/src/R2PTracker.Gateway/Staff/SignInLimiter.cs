using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using R2PTracker.Gateway.Proxy;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// Counts failed sign-ins (dashboard form, bad bearer tokens on writes and on the admin endpoints)
/// per client address; once a client has used up its failures for the window, further attempts are
/// refused with 429 before the token is even looked at.
/// </summary>
public sealed class SignInLimiter(IOptions<RateLimitOptions> options)
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.FailedSignInsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public TimeSpan RetryAfter => TimeSpan.FromMinutes(1);

    public bool IsBlocked(HttpContext http) =>
        _failures.GetStatistics(TrustedProxies.ClientKey(http)) is { CurrentAvailablePermits: <= 0 };

    public void RecordFailure(HttpContext http) => _failures.AttemptAcquire(TrustedProxies.ClientKey(http)).Dispose();

    /// <summary>The 429 problem for a client that is blocked.</summary>
    public Task RefuseAsync(HttpContext http) => RateLimits.TooManyRequests(http, RetryAfter, "Too many failed sign-ins");
}
