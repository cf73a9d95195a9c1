using R2PTracker.Notifications.Hosting;

namespace R2PTracker.Notifications.Webhooks;

/// <summary>Configuration section "Webhooks": which addresses a webhook may reach, how it is verified, how many there may be.</summary>
public sealed class WebhookOptions : IValidatedOptions
{
    /// <summary>127.0.0.0/8 and ::1. Off by default; deploy/local and the tests turn it on.</summary>
    public bool AllowLoopback { get; set; }
    /// <summary>RFC 1918, CGNAT and unique-local (fc00::/7) ranges. Off by default.</summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>How long a new webhook URL has to answer the verification challenge.</summary>
    public TimeSpan VerificationTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Active webhook subscriptions aimed at one host (name or address, as written in the URL).</summary>
    public int MaxPerHost { get; set; } = 100;
    /// <summary>Active webhook subscriptions made by one client (its address, as the gateway forwards it).</summary>
    public int MaxPerClient { get; set; } = 25;

    public IEnumerable<string> Problems()
    {
        if (VerificationTimeout <= TimeSpan.Zero || VerificationTimeout > TimeSpan.FromMinutes(1))
            yield return "VerificationTimeout must be between 00:00:00 and 00:01:00.";
        if (MaxPerHost < 1) yield return "MaxPerHost must be at least 1.";
        if (MaxPerClient < 1) yield return "MaxPerClient must be at least 1.";
    }
}
