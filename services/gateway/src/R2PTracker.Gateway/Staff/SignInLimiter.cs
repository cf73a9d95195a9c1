using System.Threading.RateLimiting;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// Counts failed sign-ins (dashboard form and bad bearer tokens) per client address; once a
/// client has used up its failures for the window, further attempts are refused with 429
/// before the token is even looked at.
/// </summary>
public sealed class SignInLimiter(IConfiguration configuration)
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = configuration.GetValue("RateLimits:FailedSignInsPerMinute", 5),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public TimeSpan RetryAfter => TimeSpan.FromMinutes(1);

    public bool IsBlocked(HttpContext http) =>
        _failures.GetStatistics(Client(http)) is { CurrentAvailablePermits: <= 0 };

    public void RecordFailure(HttpContext http) => _failures.AttemptAcquire(Client(http)).Dispose();

    private static string Client(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
