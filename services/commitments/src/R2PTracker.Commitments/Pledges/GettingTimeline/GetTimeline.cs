using JasperFx.Events;
using Marten;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.GettingTimeline;

/// <summary>
/// One entry per event. Corrections and retractions carry <c>corrects</c> (the version of the
/// milestone they amend); a milestone lists the versions that amended it in <c>correctedBy</c>.
/// </summary>
public record TimelineEntry(
    long Version, string Type, string? OccurredOn, DateTimeOffset RecordedAt, string RecordedBy, string Actor,
    IReadOnlyList<Evidence> Evidence, string? MilestoneId, long? Corrects, IReadOnlyList<long> CorrectedBy, bool Retracted, object Data);

public static class GetTimelineSlice
{
    private static IReadOnlyList<Evidence> EvidenceOf(object data) => (data as IEvidenceEvent)?.Evidence ?? [];

    private static string? MilestoneOf(object data) => (data as IMilestoneEvent)?.MilestoneId;

    /// <summary>Ordered by occurred-on as the as-of reads count it (last day, then first day), then version.
    /// A retraction has no date of its own: it sits at the date of the milestone it withdraws.</summary>
    public static List<TimelineEntry> Build(IReadOnlyList<IEvent> events)
    {
        var ordered = events.OrderBy(e => e.Version).ToList();
        var loggedAt = new Dictionary<string, IEvent>();
        var amendments = new Dictionary<string, List<long>>();
        var retracted = new HashSet<string>();
        foreach (var e in ordered)
        {
            switch (e.Data)
            {
                case MilestoneLogged m: loggedAt[m.MilestoneId] = e; break;
                case MilestoneCorrected c: Add(c.MilestoneId, e.Version); break;
                case MilestoneRetracted r: Add(r.MilestoneId, e.Version); retracted.Add(r.MilestoneId); break;
            }
        }
        var actor = ordered.Count > 0 && ordered[0].Data is PledgeRegistered registered ? registered.Actor : "";

        var entries = ordered.Select(e =>
        {
            var milestoneId = MilestoneOf(e.Data);
            var occurredOn = PledgeAsOf.OccurredOn(e.Data)
                             ?? (milestoneId is not null && loggedAt.TryGetValue(milestoneId, out var logged) ? PledgeAsOf.OccurredOn(logged.Data) : null);
            long? corrects = e.Data is MilestoneCorrected or MilestoneRetracted && milestoneId is not null && loggedAt.TryGetValue(milestoneId, out var original)
                ? original.Version : null;
            IReadOnlyList<long> correctedBy = e.Data is MilestoneLogged && milestoneId is not null && amendments.TryGetValue(milestoneId, out var list) ? list : [];
            return new TimelineEntry(e.Version, e.Data.GetType().Name, occurredOn, e.Timestamp, PledgeAsOf.RecordedBy(e.Data) ?? "unknown",
                actor, EvidenceOf(e.Data), milestoneId, corrects, correctedBy,
                e.Data is MilestoneLogged && milestoneId is not null && retracted.Contains(milestoneId), e.Data);
        });
        return entries
            .OrderBy(t => t.OccurredOn is null ? DateOnly.MaxValue : PartialDate.Parse(t.OccurredOn).Latest)
            .ThenBy(t => t.OccurredOn is null ? DateOnly.MaxValue : PartialDate.Parse(t.OccurredOn).Earliest)
            .ThenBy(t => t.Version)
            .ToList();

        void Add(string id, long version)
        {
            if (!amendments.TryGetValue(id, out var list)) amendments[id] = list = [];
            list.Add(version);
        }
    }

    public static void MapGetTimeline(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/pledges/{id}/timeline", async (string id, IQuerySession session, CancellationToken ct) =>
        {
            var events = await session.Events.FetchStreamAsync(id, token: ct);
            if (events.Count == 0) return Problems.NotFound(id);
            return Results.Ok(Build(events));
        });
}
