using Microsoft.Extensions.Localization;

namespace R2PTracker.Gateway.Dashboard;

public sealed record StaffIdentity(Guid Id, string Name, string Role);

public static class StatusText
{
    public static readonly string[] All = ["NotYetRated", "InTheWorks", "Stalled", "Kept", "Compromise", "Broken"];

    /// <summary>A status's name in the reader's language (resources Status.NotYetRated …); an unknown one as it is.</summary>
    public static string Label(IStringLocalizer t, string status) =>
        All.Contains(status) ? t["Status." + status] : status;

    /// <summary>Only http(s) links are rendered as links, whatever the data says.</summary>
    public static bool IsSafeLink(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
