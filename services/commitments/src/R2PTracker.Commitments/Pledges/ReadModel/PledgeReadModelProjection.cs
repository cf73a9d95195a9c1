using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.ReadModel;

/// <summary>
/// Inline: the read model changes in the transaction that appends the events, so a reader sees a
/// write as soon as it returned. Each appended stream is read back (that stream only) to work out
/// its spans; only the spans from the first day the new events touch are written again.
/// </summary>
public sealed class PledgeReadModelProjection : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var stream in events.GroupBy(e => e.StreamKey!))
        {
            var added = stream.OrderBy(e => e.Version).Select(ToStored).ToList();
            var firstNew = added[0].Version;
            IReadOnlyList<StoredEvent> stored = firstNew <= 1
                ? []
                : (await operations.Events.FetchStreamAsync(stream.Key, version: firstNew - 1, token: cancellation)).Select(ToStored).ToList();
            foreach (var step in ReadModelWrites.For(stream.Key, stored, added))
                operations.QueueSqlCommand(step.Sql, step.Args);
        }
    }

    public static StoredEvent ToStored(IEvent e) => new(e.Version, e.Timestamp, e.Data);
}
