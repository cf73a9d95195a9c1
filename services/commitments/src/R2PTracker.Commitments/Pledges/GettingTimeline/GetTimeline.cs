using JasperFx.Events;
using Marten;
using R2PTracker.Commitments.Http;

namespace R2PTracker.Commitments.Pledges.GettingTimeline;

public record TimelineEntry(
    long Version, string Type, string? OccurredOn, DateTimeOffset RecordedAt, string RecordedBy, object Data);

public static class GetTimelineSlice
{
    public static TimelineEntry ToEntry(IEvent e) => e.Data switch
    {
        PledgeRegistered r => new(e.Version, "PledgeRegistered", r.MadeOn, e.Timestamp, r.RecordedBy, r),
        MilestoneLogged m => new(e.Version, "MilestoneLogged", m.OccurredOn, e.Timestamp, m.RecordedBy, m),
        StatusAssessed s => new(e.Version, "StatusAssessed", s.OccurredOn, e.Timestamp, s.RecordedBy, s),
        _ => new(e.Version, e.EventTypeName, null, e.Timestamp, "unknown", e.Data),
    };

    public static void MapGetTimeline(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/pledges/{id}/timeline", async (string id, IQuerySession session, CancellationToken ct) =>
        {
            var events = await session.Events.FetchStreamAsync(id, token: ct);
            if (events.Count == 0) return Problems.NotFound(id);
            return Results.Ok(events.OrderBy(e => e.Version).Select(ToEntry).ToList());
        });
}
