namespace R2PTracker.Commitments.Pledges.BecomingOverdue;

/// <summary>Section "Overdue": the monitor that marks pledges whose target date has passed.</summary>
public sealed class OverdueOptions : IValidatedOptions
{
    public const string Section = "Overdue";

    /// <summary>Off where the monitor is driven by hand (tests, benches), so it cannot append behind their back.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often every pledge with a target date is checked (a write checks its own pledge at once).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<string> Problems()
    {
        // Each pass queries the store; below a second it would mostly repeat the last one.
        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromDays(1))
            yield return "Interval must be between 00:00:01 and 1.00:00:00.";
    }
}
