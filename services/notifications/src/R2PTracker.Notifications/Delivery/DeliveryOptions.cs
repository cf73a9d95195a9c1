using System.Globalization;
using R2PTracker.Notifications.Hosting;

namespace R2PTracker.Notifications.Delivery;

/// <summary>Configuration section "Delivery". Durations, here as everywhere, are TimeSpans ("hh:mm:ss", "d.hh:mm:ss").</summary>
public sealed class DeliveryOptions : IValidatedOptions
{
    /// <summary>
    /// Waits before the 2nd, 3rd, … attempt, comma-separated TimeSpans (one string, so that an
    /// environment variable replaces the whole schedule). The delivery is dead after the last one fails.
    /// </summary>
    public string RetryDelays { get; set; } = "00:00:05,00:00:30,00:02:00,00:10:00,01:00:00,06:00:00,1.00:00:00";
    /// <summary>Each wait is multiplied by a random factor in [1 - Jitter, 1 + Jitter].</summary>
    public double Jitter { get; set; } = 0.2;
    /// <summary>An endpoint failing without a single success for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);
    /// <summary>How often the dispatcher looks for due deliveries when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int BatchSize { get; set; } = 500;
    public int Parallelism { get; set; } = 64;
    /// <summary>Polly timeout around each attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How long an endpoint's circuit stays open after too many failures.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How long the previous webhook secret still signs after a rotation.</summary>
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    public IReadOnlyList<TimeSpan> Schedule() =>
        RetryDelays.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => TimeSpan.Parse(d, CultureInfo.InvariantCulture)).ToList();

    public int MaxAttempts => Schedule().Count + 1;

    /// <summary>When to try again after <paramref name="attemptsMade"/> failed attempts, or null if that was the last.</summary>
    public TimeSpan? DelayAfter(int attemptsMade, Random random)
    {
        var schedule = Schedule();
        if (attemptsMade < 1 || attemptsMade > schedule.Count) return null;
        var factor = 1 + Jitter * (2 * random.NextDouble() - 1);
        return schedule[attemptsMade - 1] * factor;
    }

    public IEnumerable<string> Problems()
    {
        var delays = RetryDelays.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (delays.Any(d => !TimeSpan.TryParse(d, CultureInfo.InvariantCulture, out var delay) || delay < TimeSpan.Zero))
            yield return "RetryDelays must be comma-separated, non-negative TimeSpans (\"00:00:05,00:00:30\").";
        if (Jitter is < 0 or >= 1) yield return "Jitter must be in [0, 1).";
        if (DisableAfter <= TimeSpan.Zero) yield return "DisableAfter must be positive.";
        if (PollInterval <= TimeSpan.Zero) yield return "PollInterval must be positive.";
        if (BatchSize < 1) yield return "BatchSize must be at least 1.";
        if (Parallelism < 1) yield return "Parallelism must be at least 1.";
        if (AttemptTimeout <= TimeSpan.Zero) yield return "AttemptTimeout must be positive.";
        if (BreakDuration < TimeSpan.FromSeconds(0.5)) yield return "BreakDuration must be at least 00:00:00.5 (Polly's minimum).";
        if (SecretRotationOverlap < TimeSpan.Zero) yield return "SecretRotationOverlap must not be negative.";
    }
}
