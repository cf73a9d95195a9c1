namespace R2PTracker.Commitments.Tests.ReadModel;

/// <summary>A clock the test sets, so the recorded axis has the days a test wants.</summary>
internal sealed class SettableClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
