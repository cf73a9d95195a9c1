using Marten;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Pledges.GettingPledges;

namespace R2PTracker.Commitments.Pledges.GettingTallies;

public record KeptTally(int OnTime, int Late, int WithoutTarget);

public record Tallies(string? AsOf, string Axis, int Total, IReadOnlyDictionary<string, int> ByStatus, KeptTally Kept, int Overdue);

public static class GetTalliesSlice
{
    /// <summary>Kept on time: the status became Kept on or before the target date's last day (partial dates by their last day).</summary>
    public static Tallies Count(IReadOnlyList<Pledge> pledges, DateOnly? asOf, Axis axis)
    {
        var byStatus = Enum.GetValues<PledgeStatus>().ToDictionary(s => s.ToString(), s => pledges.Count(p => p.Status == s));
        int onTime = 0, late = 0, withoutTarget = 0;
        foreach (var p in pledges.Where(p => p.Status == PledgeStatus.Kept))
        {
            if (p.TargetDate is null || p.StatusSince is null) withoutTarget++;
            else if (PartialDate.Parse(p.StatusSince).Latest <= PartialDate.Parse(p.TargetDate).Latest) onTime++;
            else late++;
        }
        return new Tallies(asOf?.ToString("yyyy-MM-dd"), axis.ToString().ToLowerInvariant(), pledges.Count, byStatus,
            new KeptTally(onTime, late, withoutTarget), pledges.Count(p => p.Overdue));
    }

    public static void MapGetTallies(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/tallies", async (string? asOf, string? axis, IQuerySession session, StreamEventCache cache, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeAsOf.TryParse(asOf, axis, v, out var date, out var on)) return Problems.Validation(v);
            var pledges = date is null
                ? await session.Query<Pledge>().ToListAsync(ct)
                : (await GetPledgesSlice.AllAsOfAsync(cache, date.Value, on, ct)).ToList();
            return Results.Ok(Count(pledges, date, on));
        });
}
