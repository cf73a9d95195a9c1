namespace R2PTracker.Commitments.Forwarding;

/// <summary>Section "Daemon": how soon Marten's async daemon sees new events.</summary>
public sealed class DaemonOptions : IValidatedOptions
{
    public const string Section = "Daemon";

    /// <summary>
    /// How often the daemon looks for new events when nothing wakes it. It bounds how soon subscribers,
    /// caches and live dashboards hear of a write by another instance (Marten's defaults: 250 ms busy, 1 s idle).
    /// </summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Under a stream of appends, the daemon is woken at most this often (see <see cref="AppendWakeup"/>).</summary>
    public TimeSpan MinimumWakeInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    public IEnumerable<string> Problems()
    {
        if (PollingInterval <= TimeSpan.Zero || PollingInterval > TimeSpan.FromMinutes(1))
            yield return "PollingInterval must be more than 00:00:00 and at most 00:01:00.";
        if (MinimumWakeInterval < TimeSpan.Zero) yield return "MinimumWakeInterval must not be negative.";
        // A wake-up held back longer than a poll would only slow the daemon below its polling rate.
        else if (MinimumWakeInterval > PollingInterval) yield return "MinimumWakeInterval must be at most Daemon:PollingInterval.";
    }
}
