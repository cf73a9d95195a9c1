using Microsoft.AspNetCore.WebUtilities;

namespace R2PTracker.Gateway.Dashboard;

/// <summary>
/// What the list page was asked for: the parameters the dashboard knows, read from its query string
/// (a plain GET form sends empty fields, which mean "not given"), and passed on to commitments as
/// they are — commitments checks the values and its 400 names the field. Any other parameter is
/// refused by the page (a 400 naming it, see Caching.RouteParameters), so it is neither passed on
/// nor part of the cache key.
/// </summary>
public sealed record ListQuery
{
    /// <summary>The page's parameters; the output cache varies by exactly these.</summary>
    public static readonly string[] Names = ["q", "status", "theme", "actor", "country", "overdue", "sort", "limit", "cursor", "asOf", "axis", "lang", "verifiability", "reason"];

    public static readonly string[] Sorts = ["id", "title", "statusSince", "targetDate"];

    public string? Q { get; init; }
    public IReadOnlyList<string> Statuses { get; init; } = [];
    public string? Theme { get; init; }
    public string? Actor { get; init; }
    public string? Country { get; init; }
    public string? Overdue { get; init; }
    public string? Sort { get; init; }
    public string? Limit { get; init; }
    public string? Cursor { get; init; }
    public string? AsOf { get; init; }
    public string? Axis { get; init; }
    public IReadOnlyList<string> Verifiabilities { get; init; } = [];
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The page's language when the reader asked for one with ?lang= (km|en): its links keep it.</summary>
    public string? Lang { get; init; }

    public static ListQuery From(IQueryCollection query)
    {
        string? One(string name) => query[name].LastOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
        return new ListQuery
        {
            Q = One("q"),
            Statuses = query["status"].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct().ToList(),
            Theme = One("theme"), Actor = One("actor"), Country = One("country"), Overdue = One("overdue"),
            Sort = One("sort"), Limit = One("limit"), Cursor = One("cursor"), AsOf = One("asOf"), Axis = One("axis"), Lang = One("lang"),
            Verifiabilities = Many("verifiability"), Reasons = Many("reason"),
        };

        List<string> Many(string name) => query[name].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct().ToList();
    }

    /// <summary>Whether any filter or the as-of date is set (what "show all" resets).</summary>
    public bool IsFiltered => Q is not null || Statuses.Count > 0 || Theme is not null || Actor is not null || Country is not null
                              || Overdue is not null || AsOf is not null || Verifiabilities.Count > 0 || Reasons.Count > 0;

    /// <summary>The axis as commitments takes it: only with an as-of date (it refuses an axis alone).</summary>
    private string? AsOfAxis => AsOf is null ? null : Axis;

    private IEnumerable<KeyValuePair<string, string?>> Filters()
    {
        if (Q is not null) yield return new("q", Q);
        foreach (var s in Statuses) yield return new("status", s);
        if (Theme is not null) yield return new("theme", Theme);
        if (Actor is not null) yield return new("actor", Actor);
        if (Country is not null) yield return new("country", Country);
        if (Overdue is not null) yield return new("overdue", Overdue);
        foreach (var v in Verifiabilities) yield return new("verifiability", v);
        foreach (var r in Reasons) yield return new("reason", r);
    }

    private IEnumerable<KeyValuePair<string, string?>> AsOfPair()
    {
        if (AsOf is not null) yield return new("asOf", AsOf);
        if (AsOfAxis is not null) yield return new("axis", AsOfAxis);
    }

    private IEnumerable<KeyValuePair<string, string?>> Paging(string? cursor)
    {
        if (Sort is not null) yield return new("sort", Sort);
        if (Limit is not null) yield return new("limit", Limit);
        if (cursor is not null) yield return new("cursor", cursor);
    }

    /// <summary>GET /api/pledges for this page, read in the reader's language.</summary>
    public string PledgesPath(string language) => "/api/pledges" + QueryString.Create(Filters().Concat(AsOfPair()).Concat(Paging(Cursor))
        .Append(new("lang", language)));

    /// <summary>GET /api/tallies for the same pledges (all pages).</summary>
    public string TalliesPath() => "/api/tallies" + QueryString.Create(Filters().Concat(AsOfPair()));

    /// <summary>GET /api/tallies/series for the same filters and axis.</summary>
    public string SeriesPath(SeriesRange range) => "/api/tallies/series" + QueryString.Create(Filters()
        .Append(new("from", range.From)).Append(new("to", range.To)).Append(new("interval", range.Interval))
        .Concat(Axis is null ? [] : [new KeyValuePair<string, string?>("axis", Axis)]));

    /// <summary>This page of the dashboard with another cursor (null: the first page); it keeps the axis
    /// even without a date, as the chart follows it.</summary>
    public string PageLink(string? cursor) => "/" + QueryString.Create(Filters()
        .Concat(AsOf is null ? [] : [new KeyValuePair<string, string?>("asOf", AsOf)])
        .Concat(Axis is null ? [] : [new KeyValuePair<string, string?>("axis", Axis)])
        .Concat(Paging(cursor))
        .Concat(Lang is null ? [] : [new KeyValuePair<string, string?>("lang", Lang)]));

    /// <summary>The cursor in commitments' <c>Link: &lt;…&gt;; rel="next"</c> header, if there is a next page.</summary>
    public static string? NextCursor(string? linkHeader)
    {
        if (linkHeader is null) return null;
        foreach (var link in linkHeader.Split(','))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length < 2 || !parts.Skip(1).Any(p => p.Replace(" ", "") is "rel=\"next\"" or "rel=next")) continue;
            var target = parts[0].Trim('<', '>');
            var question = target.IndexOf('?');
            if (question < 0) continue;
            var query = QueryHelpers.ParseQuery(target[question..]);
            if (query.TryGetValue("cursor", out var cursor) && cursor.Count > 0) return cursor[^1];
        }
        return null;
    }
}
