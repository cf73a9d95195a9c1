namespace R2PTracker.Gateway.Dashboard;

public sealed record StaffIdentity(Guid Id, string Name, string Role);

public static class StatusText
{
    public static readonly string[] All = ["NotYetRated", "InTheWorks", "Stalled", "Kept", "Compromise", "Broken"];

    public static string Label(string status) => status switch
    {
        "NotYetRated" => "Not yet rated",
        "InTheWorks" => "In the works",
        "Stalled" => "Stalled",
        "Kept" => "Promise kept",
        "Compromise" => "Compromise",
        "Broken" => "Promise broken",
        _ => status,
    };

    /// <summary>Only http(s) links are rendered as links, whatever the data says.</summary>
    public static bool IsSafeLink(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
