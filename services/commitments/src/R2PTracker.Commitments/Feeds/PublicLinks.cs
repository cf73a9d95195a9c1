using Microsoft.Extensions.Options;

namespace R2PTracker.Commitments.Feeds;

/// <summary>At the top level of the configuration (no section): PublicBaseUrl.</summary>
public sealed class PublicLinksOptions : IValidatedOptions
{
    /// <summary>
    /// The address readers reach the tracker at (the gateway's public address), e.g.
    /// https://tracker.example.org. Unset: the host the gateway forwarded (X-Forwarded-Proto and
    /// X-Forwarded-Host), else the request's own.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public IEnumerable<string> Problems()
    {
        if (!PublicLinks.IsValidBase(PublicBaseUrl)) yield return "PublicBaseUrl must be an absolute http or https URL without query or fragment.";
    }
}

/// <summary>The base of every link the service writes for readers (the feeds): never the internal address
/// when it can know the public one.</summary>
public sealed class PublicLinks(IOptions<PublicLinksOptions> options)
{
    public static bool IsValidBase(string? value) =>
        string.IsNullOrEmpty(value)
        || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query == "" && uri.Fragment == "");

    /// <summary>The base, ending in "/" so that relative links resolve under it.</summary>
    public Uri Site(HttpContext http)
    {
        if (options.Value.PublicBaseUrl is { Length: > 0 } configured) return new Uri(configured.TrimEnd('/') + "/");
        var proto = First(http.Request.Headers["X-Forwarded-Proto"]);
        var host = First(http.Request.Headers["X-Forwarded-Host"]);
        if (proto is "http" or "https" && host is not null && Uri.TryCreate($"{proto}://{host}/", UriKind.Absolute, out var forwarded)
            && forwarded.PathAndQuery == "/" && forwarded.UserInfo == "")
            return forwarded;
        return new Uri($"{http.Request.Scheme}://{http.Request.Host}/");
    }

    // A proxy chain appends: the first value is what the reader's client asked for.
    private static string? First(string? header) =>
        header?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
}
