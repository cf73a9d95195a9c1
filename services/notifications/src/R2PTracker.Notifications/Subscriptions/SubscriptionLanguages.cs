namespace R2PTracker.Notifications.Subscriptions;

/// <summary>
/// The languages an e-mail subscriber can read alerts in: the dashboard's two. A subscription made
/// without one, or stored before subscriptions had one, is in English.
/// </summary>
public static class SubscriptionLanguages
{
    public const string English = "en";
    public const string Khmer = "km";
    public const string Default = English;

    public static readonly string[] All = [English, Khmer];

    public static bool IsLanguage(string? value) => value is English or Khmer;
}
