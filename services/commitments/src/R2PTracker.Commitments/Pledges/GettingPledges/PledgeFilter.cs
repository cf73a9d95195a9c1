using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Pledges.ReadModel;

namespace R2PTracker.Commitments.Pledges.GettingPledges;

/// <summary>
/// Which pledges a list, a tally or a series is about: the state as of a date on an axis (or today's),
/// and the filters. Turns into SQL over the read model (see <see cref="ReadModelSchema"/>).
/// </summary>
public sealed class PledgeFilter
{
    public static readonly string[] Names = ["status", "theme", "actor", "country", "overdue", "q", "verifiability", "reason"];

    /// <summary>The parameters that may be given more than once (any of the values matches).</summary>
    public static readonly string[] Repeatable = ["status", "verifiability", "reason"];

    /// <summary>The values of <c>verifiability=</c>: the ratings, and NotScreened for a pledge without one.</summary>
    public static readonly string[] VerifiabilityValues = [.. Enum.GetNames<Verifiability>(), ReadModelWrites.NotScreened];
    public const int MaxSearchTerms = 8;
    public const int MaxSearchLength = 200;

    public DateOnly? AsOf { get; private init; }
    public Axis Axis { get; private init; }
    public IReadOnlyList<PledgeStatus> Statuses { get; private init; } = [];
    public string? Theme { get; private init; }
    public string? Actor { get; private init; }
    public string? Country { get; private init; }
    public bool? Overdue { get; private init; }
    public IReadOnlyList<string> SearchTerms { get; private init; } = [];
    public IReadOnlyList<string> Verifiabilities { get; private init; } = [];
    public IReadOnlyList<StatusReasonCode> ReasonCodes { get; private init; } = [];

    /// <summary>
    /// Refuses any parameter not in <paramref name="allowed"/> (by name, so a typo is not silently
    /// ignored and junk does not make new cache entries), and any given twice unless repeatable.
    /// </summary>
    public static bool CheckNames(IQueryCollection query, IReadOnlyCollection<string> allowed, Validation v)
    {
        foreach (var (name, values) in query)
        {
            if (!allowed.Contains(name)) v.Add(name, $"'{name}' is not a parameter of this resource; it takes {string.Join(", ", allowed.Select(a => $"'{a}'"))}.");
            else if (!Repeatable.Contains(name) && values.Count > 1) v.Add(name, $"'{name}' may be given once.");
        }
        return v.IsValid;
    }

    public static PledgeFilter? Parse(IQueryCollection query, Validation v, bool withAsOf = true)
    {
        DateOnly? asOf = null;
        var axis = Axis.Occurred;
        if (withAsOf) PledgeAsOf.TryParse(Single(query, "asOf"), Single(query, "axis"), v, out asOf, out axis);

        var statuses = new List<PledgeStatus>();
        foreach (var s in query["status"])
        {
            if (Enum.TryParse<PledgeStatus>(s, ignoreCase: false, out var status) && Enum.IsDefined(status) && !int.TryParse(s, out _)) statuses.Add(status);
            else v.Add("status", $"'status' must be one of {string.Join(", ", Enum.GetNames<PledgeStatus>())}; '{s}' is not.");
        }
        var verifiabilities = new List<string>();
        foreach (var x in query["verifiability"])
        {
            if (x is not null && VerifiabilityValues.Contains(x, StringComparer.Ordinal)) verifiabilities.Add(x);
            else v.Add("verifiability", $"'verifiability' must be one of {string.Join(", ", VerifiabilityValues)}; '{x}' is not.");
        }
        var reasonCodes = new List<StatusReasonCode>();
        foreach (var x in query["reason"])
        {
            if (Enum.TryParse<StatusReasonCode>(x, ignoreCase: false, out var code) && Enum.IsDefined(code) && !int.TryParse(x, out _)) reasonCodes.Add(code);
            else v.Add("reason", $"'reason' must be one of {string.Join(", ", Enum.GetNames<StatusReasonCode>())}; '{x}' is not.");
        }
        bool? overdue = Single(query, "overdue") switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Invalid("overdue", "'overdue' must be 'true' or 'false'."),
        };
        var q = Single(query, "q");
        var terms = new List<string>();
        if (q is not null)
        {
            terms.AddRange(q.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            if (q.Length > MaxSearchLength) v.Add("q", $"'q' must be at most {MaxSearchLength} characters.");
            else if (terms.Count == 0) v.Add("q", "'q' must contain a word to search for.");
            else if (terms.Count > MaxSearchTerms) v.Add("q", $"'q' may hold at most {MaxSearchTerms} words.");
        }
        var filter = new PledgeFilter
        {
            AsOf = asOf, Axis = axis, Statuses = statuses.Distinct().ToList(),
            Theme = v.OptionalText("theme", Single(query, "theme")),
            Actor = v.OptionalText("actor", Single(query, "actor")),
            Country = v.OptionalText("country", Single(query, "country")),
            Overdue = overdue, SearchTerms = terms,
            Verifiabilities = verifiabilities.Distinct().ToList(), ReasonCodes = reasonCodes.Distinct().ToList(),
        };
        return v.IsValid ? filter : null;

        bool? Invalid(string field, string message)
        {
            v.Add(field, message);
            return null;
        }
    }

    public static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values[^1] : null;

    /// <summary>The conditions on read-model rows aliased <c>s</c>; the span condition only when <paramref name="withSpan"/>.</summary>
    public string Where(List<NpgsqlParameter> args, bool withSpan = true)
    {
        var conditions = new List<string>();
        if (withSpan)
        {
            if (AsOf is { } day)
                conditions.Add($"s.axis = {Arg(args, ReadModelWrites.Name(Axis))} and {Spanned("s")} @> {Arg(args, day)}");
            else
                conditions.Add("s.axis = 'recorded' and s.valid_to is null");
        }
        if (Statuses.Count > 0) conditions.Add($"s.status = any({Arg(args, Statuses.Select(x => x.ToString()).ToArray())})");
        if (Theme is not null) conditions.Add($"lower(s.theme) = lower({Arg(args, Theme)})");
        if (Actor is not null) conditions.Add($"lower(s.actor) = lower({Arg(args, Actor)})");
        if (Country is not null) conditions.Add($"lower(s.country) = lower({Arg(args, Country)})");
        if (Overdue is { } overdue) conditions.Add($"s.overdue = {Arg(args, overdue)}");
        if (Verifiabilities.Count > 0) conditions.Add($"s.verifiability = any({Arg(args, Verifiabilities.ToArray())})");
        if (ReasonCodes.Count > 0) conditions.Add($"s.reason_code = any({Arg(args, ReasonCodes.Select(x => x.ToString()).ToArray())})");
        // Every word must occur somewhere in the pledge's texts: a substring of one of its words (a term
        // holds no white space), which the trigram index serves in any script, Khmer (written without
        // spaces between words) as well as English. The words are stored in lower case, so a case-blind
        // match is a LIKE of the lowered term (several times cheaper than ILIKE).
        foreach (var term in SearchTerms)
            conditions.Add($"s.pledge_id in (select w.pledge_id from {ReadModelSchema.Words} w where w.words like lower({Arg(args, "%" + EscapeLike(term) + "%")}))");
        return conditions.Count == 0 ? "true" : string.Join(" and ", conditions);
    }

    public static string Spanned(string alias) => $"daterange({alias}.valid_from, {alias}.valid_to)";

    public static string Arg(List<NpgsqlParameter> args, object value)
    {
        args.Add(new NpgsqlParameter { Value = value });
        return "$" + args.Count;
    }

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
