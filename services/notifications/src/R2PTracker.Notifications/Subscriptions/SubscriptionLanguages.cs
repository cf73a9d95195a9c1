using R2PTracker.ServiceDefaults;

namespace R2PTracker.Notifications.Subscriptions;

/// <summary>
/// The languages an e-mail subscriber can read alerts in: the dashboard's two. A subscription made
/// without one, or stored before subscriptions had one, is in English. The codes are commitments'
/// (<see cref="ContentLanguages"/>), matched as BCP 47 tags are, without regard to case.
/// </summary>
public static class SubscriptionLanguages
{
    public const string English = "en";
    public const string Khmer = "km";
    public const string Default = English;

    public static bool IsLanguage(string? value) => ContentLanguages.Normalise(value) is not null;

    /// <summary>A supported code in its stored (lower-case) form, or null.</summary>
    public static string? Normalise(string? value) => ContentLanguages.Normalise(value);
}
