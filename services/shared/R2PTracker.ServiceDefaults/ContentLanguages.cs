using Microsoft.Net.Http.Headers;

namespace R2PTracker.ServiceDefaults;

/// <summary>
/// The languages pledge texts may be translated into and read in, and how a request names one:
/// <c>?lang=</c> first, then <c>Accept-Language</c>. One rule for commitments (which answers in the
/// language) and the gateway (whose cache keys on the language so found).
/// </summary>
public static class ContentLanguages
{
    public const string QueryName = "lang";

    /// <summary>BCP 47 primary language subtags, lower case.</summary>
    public static readonly string[] Supported = ["km", "en"];

    /// <summary>
    /// The language of an original text: the tracker records a pledge's words verbatim as quoted but
    /// not which language they are in, so they are "und" (BCP 47: undetermined).
    /// </summary>
    public const string Original = "und";

    /// <summary>A supported code, matched without regard to case (BCP 47 tags are case-insensitive); null otherwise.</summary>
    public static string? Normalise(string? code) =>
        code is null ? null : Supported.FirstOrDefault(s => string.Equals(s, code, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The supported language an Accept-Language header prefers most (by q, then order), matching a
    /// tag by its primary subtag ("km-KH" is km); null when it names none (or is malformed).
    /// </summary>
    public static string? FromAcceptLanguage(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || !StringWithQualityHeaderValue.TryParseList(header.Split(','), out var tags)) return null;
        return tags
            .Select((t, i) => (Tag: t.Value.Value ?? "", Q: t.Quality ?? 1, Order: i))
            .Where(t => t.Q > 0)
            .OrderByDescending(t => t.Q).ThenBy(t => t.Order)
            .Select(t => Normalise(t.Tag.Split('-')[0]))
            .FirstOrDefault(l => l is not null);
    }

    /// <summary>What a request asks for: a valid ?lang= wins, else Accept-Language; null for neither (originals only).</summary>
    public static string? Requested(string? query, string? acceptLanguage) =>
        query is not null ? Normalise(query) : FromAcceptLanguage(acceptLanguage);

    public static string Listed => string.Join(", ", Supported);
}
