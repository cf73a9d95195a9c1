using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway.Caching;

/// <summary>
/// The query parameters each cached route reads, and so the only ones its cache key holds. Any other
/// parameter either is refused by whoever answers the route (commitments' lists, pledges, tallies
/// and series; the dashboard's pages), so the request goes past the cache to be refused, or is
/// ignored by it (timelines, histories, feeds but for ?lang=, exports), so it is left out of the key and
/// "?r=&lt;random&gt;" is served the cached answer instead of making a new entry.
/// </summary>
public sealed record RouteParameters(IReadOnlyList<string> Known, bool OthersRefused, bool Localised = false)
{
    /// <summary>commitments' list filters (PledgeFilter.Names there).</summary>
    public static readonly string[] Filters = ["status", "theme", "actor", "country", "overdue", "q", "verifiability", "reason"];

    public static readonly string[] PledgePage = ["asOf", "axis", "lang"];

    private static readonly RouteParameters None = new([], OthersRefused: false);

    public static RouteParameters For(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            [] => new(Dashboard.ListQuery.Names, true),
            ["pledges", _] => new(PledgePage, true),
            ["verify"] => new(["lang"], false),
            // A feed is in the language its URL names (commitments reads ?lang= only there, not Accept-Language),
            // so the key holds ?lang= as given: one commitments refuses is not served the English feed.
            ["feeds", ..] => new([ContentLanguages.QueryName], false),
            ["api", "pledges"] => new([.. Filters, "asOf", "axis", "sort", "limit", "cursor", ContentLanguages.QueryName], true, Localised: true),
            ["api", "pledges", _] => new(["asOf", "axis", ContentLanguages.QueryName], true, Localised: true),
            ["api", "pledges", _, "status-history"] => new(["axis"], true),
            ["api", "tallies"] => new([.. Filters, "asOf", "axis"], true),
            ["api", "tallies", "series"] => new([.. Filters, "from", "to", "interval", "axis"], true),
            ["api", "log", "proof", "inclusion"] => new(["index", "treeSize"], true),
            ["api", "log", "proof", "consistency"] => new(["from", "to"], true),
            ["api", "log", "entries"] => new(["start", "end"], true),
            _ => None,
        };
    }

    // Localised: commitments answers the API route in the language asked for (?lang=, else Accept-Language),
    // so its key holds that language. (The dashboard's pages take ?lang= too, for their interface: their
    // key holds the reader's language, resolved by the request localisation; see CachePolicies.)

    /// <summary>The first parameter of <paramref name="query"/> the route does not read, if any.</summary>
    public string? FirstUnknown(IQueryCollection query) => query.Keys.FirstOrDefault(k => !Known.Contains(k, StringComparer.Ordinal));
}
