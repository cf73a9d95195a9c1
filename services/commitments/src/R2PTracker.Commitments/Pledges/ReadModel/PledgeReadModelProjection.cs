using System.Diagnostics.Metrics;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.ReadModel;

/// <summary>
/// Inline: the read model changes in the transaction that appends the events, so a reader sees a
/// write as soon as it returned. An append that comes after everything its pledge holds extends the
/// open spans of each axis (<see cref="ReadModelWrites.Extend"/>); any other is worked out from its stream,
/// read back (that stream only), and only the spans from the first day the new events touch are written again.
/// </summary>
public sealed class PledgeReadModelProjection : IProjection
{
    public const string AppendsMetric = "r2p.commitments.read_model.appends";

    private static readonly Meter Meter = new(Telemetry.CommitmentsTelemetry.Name + ".ReadModel");

    /// <summary>Appends written to the read model, by how: "extend" (from its open spans) or "stream" (from the stream read back).</summary>
    private static readonly Counter<long> Appends = Meter.CreateCounter<long>(AppendsMetric, "{append}",
        "Appends written to the read model: extend = from its open spans, stream = from the pledge's stream read back.");

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var stream in events.GroupBy(e => e.StreamKey!))
        {
            var added = stream.OrderBy(e => e.Version).Select(ToStored).ToList();
            if (!added.Any(e => e.Data is IPledgeEvent)) continue;
            var firstNew = added[0].Version;
            // Most appends come after everything the pledge holds: they are written from the read model's open
            // spans. The rest (a correction, a retraction, a back-dated fact, a clock that went back) from the stream.
            var steps = firstNew > 1 && await ReadModelHead.LoadAsync(operations, stream.Key, cancellation) is { } head
                ? ReadModelWrites.Extend(stream.Key, head, added)
                : null;
            Appends.Add(1, new KeyValuePair<string, object?>("path", steps is null ? "stream" : "extend"));
            if (steps is null)
            {
                IReadOnlyList<StoredEvent> stored = firstNew <= 1
                    ? []
                    : (await operations.Events.FetchStreamAsync(stream.Key, version: firstNew - 1, token: cancellation)).Select(ToStored).ToList();
                steps = ReadModelWrites.For(stream.Key, stored, added).ToList();
            }
            foreach (var step in steps)
                operations.QueueSqlCommand(step.Sql, step.Args);
        }
    }

    public static StoredEvent ToStored(IEvent e) => new(e.Version, e.Timestamp, e.Data);
}
