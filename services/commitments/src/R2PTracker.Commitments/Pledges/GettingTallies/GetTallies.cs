using System.Globalization;
using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Pledges.GettingPledges;
using R2PTracker.Commitments.Pledges.ReadModel;

namespace R2PTracker.Commitments.Pledges.GettingTallies;

public record KeptTally(int OnTime, int Late, int WithoutTarget);

/// <summary>
/// <see cref="ByVerifiability"/> counts every pledge once (NotScreened: no verifiability yet); <see cref="ByReason"/>
/// counts the pledges whose current verdict carries a coded reason (Stalled or Broken with a reasonCode).
/// </summary>
public record Tallies(string? AsOf, string Axis, int Total, IReadOnlyDictionary<string, int> ByStatus, KeptTally Kept, int Overdue,
    IReadOnlyDictionary<string, int>? ByVerifiability = null, IReadOnlyDictionary<string, int>? ByReason = null);

public record SeriesPoint(string Date, int Total, IReadOnlyDictionary<string, int> ByStatus, int Overdue,
    IReadOnlyDictionary<string, int>? ByVerifiability = null, IReadOnlyDictionary<string, int>? ByReason = null);

/// <summary>Counted by PostgreSQL over the read model's spans; nothing is folded here.</summary>
public static class GetTalliesSlice
{
    public const int MaxSeriesPoints = 500;
    private static readonly string[] TallyParameters = [.. PledgeFilter.Names, "asOf", "axis"];
    private static readonly string[] SeriesParameters = [.. PledgeFilter.Names, "from", "to", "interval", "axis"];

    // Kept on time: the status became Kept on or before the target date's last day (both keys are last days).
    private const string Counts =
        "s.status, count(*)::int, count(*) filter (where s.overdue)::int, "
        + "count(*) filter (where s.status = 'Kept' and s.target_key <> '9999-12-31~' and s.status_since_key <> '9999-12-31~' and s.status_since_key <= s.target_key)::int, "
        + "count(*) filter (where s.status = 'Kept' and (s.target_key = '9999-12-31~' or s.status_since_key = '9999-12-31~'))::int, "
        + "s.verifiability, s.reason_code";

    public static void MapGetTallies(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tallies", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeFilter.CheckNames(http.Request.Query, TallyParameters, v)) return Problems.Validation(v);
            if (PledgeFilter.Parse(http.Request.Query, v) is not { } filter) return Problems.Validation(v);
            var args = new List<NpgsqlParameter>();
            await using var cmd = db.CreateCommand($"select {Counts} from {ReadModelSchema.StatusRuns} s where {filter.Where(args)} group by s.status, s.verifiability, s.reason_code");
            cmd.Parameters.AddRange(args.ToArray());
            var byStatus = EmptyByStatus();
            var byVerifiability = EmptyByVerifiability();
            var byReason = EmptyByReason();
            int total = 0, overdue = 0, onTime = 0, withoutTarget = 0;
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    byStatus[reader.GetString(0)] += reader.GetInt32(1);
                    byVerifiability[reader.GetString(5)] += reader.GetInt32(1);
                    if (!reader.IsDBNull(6)) byReason[reader.GetString(6)] += reader.GetInt32(1);
                    total += reader.GetInt32(1);
                    overdue += reader.GetInt32(2);
                    onTime += reader.GetInt32(3);
                    withoutTarget += reader.GetInt32(4);
                }
            }
            var kept = byStatus[nameof(PledgeStatus.Kept)];
            return Results.Ok(new Tallies(filter.AsOf?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ReadModelWrites.Name(filter.Axis),
                total, byStatus, new KeptTally(onTime, kept - onTime - withoutTarget, withoutTarget), overdue, byVerifiability, byReason));
        })
        .Reads<Tallies>("Tallies", "How many pledges hold each status, today or as of a day.", StatusCodes.Status400BadRequest)
        .WithQuery(TallyParameters);

        app.MapGet("/api/tallies/series", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var query = http.Request.Query;
            var v = new Validation();
            if (!PledgeFilter.CheckNames(query, SeriesParameters, v)) return Problems.Validation(v);
            var filter = PledgeFilter.Parse(query, v, withAsOf: false);
            var days = SeriesDays(PledgeFilter.Single(query, "from"), PledgeFilter.Single(query, "to"), PledgeFilter.Single(query, "interval"), v);
            PledgeAsOf.TryParseAxis(PledgeFilter.Single(query, "axis"), v, out var axis);
            if (filter is null || days is null || !v.IsValid) return Problems.Validation(v);

            // A sweep over the status runs (few a pledge) instead of one tally per point: each run adds
            // one at its first day and takes one away at its end, so a point is the running sum of
            // the changes on or before its day. PostgreSQL sums the changes per day and status, in
            // day order; the points are taken as the sums pass each day.
            var args = new List<NpgsqlParameter>();
            var axisArg = PledgeFilter.Arg(args, ReadModelWrites.Name(axis));
            var where = filter.Where(args, withSpan: false);
            var lastArg = PledgeFilter.Arg(args, days[^1]);
            await using var cmd = db.CreateCommand(
                $"select c.at, c.status, sum(c.delta)::int, sum(c.delta) filter (where c.overdue)::int, c.verifiability, c.reason_code from ("
                + $"select s.valid_from as at, s.status, s.overdue, s.verifiability, s.reason_code, 1 as delta from {ReadModelSchema.StatusRuns} s where s.axis = {axisArg} and {where} "
                + $"union all select s.valid_to, s.status, s.overdue, s.verifiability, s.reason_code, -1 from {ReadModelSchema.StatusRuns} s "
                + $"where s.axis = {axisArg} and s.valid_to is not null and {where}) c "
                + $"where c.at <= {lastArg} group by c.at, c.status, c.verifiability, c.reason_code order by c.at");
            cmd.Parameters.AddRange(args.ToArray());
            var running = EmptyByStatus();
            var runningVerifiability = EmptyByVerifiability();
            var runningReason = EmptyByReason();
            var overdue = 0;
            var points = new List<SeriesPoint>(days.Count);
            void PointsBefore(DateOnly? at)
            {
                // Every point whose day comes before this change is complete.
                while (points.Count < days.Count && (at is null || days[points.Count] < at))
                    points.Add(new SeriesPoint(days[points.Count].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        running.Values.Sum(), new Dictionary<string, int>(running), overdue,
                        new Dictionary<string, int>(runningVerifiability), new Dictionary<string, int>(runningReason)));
            }
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    PointsBefore(reader.GetFieldValue<DateOnly>(0));
                    running[reader.GetString(1)] += reader.GetInt32(2);
                    runningVerifiability[reader.GetString(4)] += reader.GetInt32(2);
                    if (!reader.IsDBNull(5)) runningReason[reader.GetString(5)] += reader.GetInt32(2);
                    overdue += reader.IsDBNull(3) ? 0 : reader.GetInt32(3);
                }
            }
            PointsBefore(null);
            return Results.Ok(points);
        })
        .Reads<SeriesPoint[]>("Tallies", "The tallies at the end of each month, quarter or year from 'from' to 'to'.", StatusCodes.Status400BadRequest)
        .WithQuery(SeriesParameters);
    }

    /// <summary>The last day of each interval from the one holding <paramref name="fromText"/>'s first day
    /// to the one holding <paramref name="toText"/>'s last day.</summary>
    public static List<DateOnly>? SeriesDays(string? fromText, string? toText, string? intervalText, Validation v)
    {
        var from = fromText is null ? (PartialDate?)null : v.OptionalDate("from", fromText);
        var to = toText is null ? (PartialDate?)null : v.OptionalDate("to", toText);
        if (fromText is null) v.Add("from", "'from' is required (YYYY, YYYY-MM or YYYY-MM-DD).");
        if (toText is null) v.Add("to", "'to' is required (YYYY, YYYY-MM or YYYY-MM-DD).");
        var months = intervalText switch
        {
            null or "month" => 1,
            "quarter" => 3,
            "year" => 12,
            _ => 0,
        };
        if (months == 0) v.Add("interval", "'interval' must be 'month', 'quarter' or 'year'.");
        if (from is null || to is null || months == 0) return null;
        var first = from.Value.Earliest;
        var last = to.Value.Latest;
        if (last < first) { v.Add("to", "'to' must not be before 'from'."); return null; }
        // Intervals are aligned to the calendar: quarters start in January, April, July and October.
        var start = new DateOnly(first.Year, months == 12 ? 1 : (first.Month - 1) / months * months + 1, 1);
        var days = new List<DateOnly>();
        for (var s = start; s <= last; s = s.AddMonths(months))
        {
            if (days.Count == MaxSeriesPoints)
            {
                v.Add("to", $"A series has at most {MaxSeriesPoints} points; narrow 'from'–'to' or take a longer 'interval'.");
                return null;
            }
            days.Add(s.AddMonths(months).AddDays(-1));
        }
        return days;
    }

    private static Dictionary<string, int> EmptyByStatus() => Enum.GetNames<PledgeStatus>().ToDictionary(s => s, _ => 0);

    private static Dictionary<string, int> EmptyByVerifiability() => PledgeFilter.VerifiabilityValues.ToDictionary(s => s, _ => 0);

    private static Dictionary<string, int> EmptyByReason() => Enum.GetNames<StatusReasonCode>().ToDictionary(s => s, _ => 0);
}
