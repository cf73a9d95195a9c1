using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.ReadModel;

/// <summary>
/// What the read model holds of a pledge at its end: the version it was written for, the latest fact of the
/// occurred axis (last day, first day), and each axis's open spans. An append that only comes after all of it
/// is written from this (<see cref="ReadModelWrites.Extend"/>) instead of from the pledge's whole stream.
/// </summary>
public sealed record ReadModelHead(long Version, (DateOnly Latest, DateOnly Earliest)? OccurredTail, AxisHead Recorded, AxisHead Occurred)
{
    private static readonly string Sql =
        $"""
         select jsonb_build_object(
           'version', v.version, 'tailLatest', v.tail_latest, 'tailEarliest', v.tail_earliest,
           'axes', (select jsonb_agg(jsonb_build_object(
               'axis', s.axis, 'from', s.valid_from, 'state', s.data,
               'runFrom', (select r.valid_from from {ReadModelSchema.StatusRuns} r
                           where r.pledge_id = s.pledge_id and r.axis = s.axis and r.valid_to is null),
               'milestones', (select coalesce(jsonb_agg(jsonb_build_object('position', m.position, 'from', m.valid_from, 'milestone', m.data)
                                order by m.position), '[]'::jsonb)
                              from {ReadModelSchema.Milestones} m where m.pledge_id = s.pledge_id and m.axis = s.axis and m.valid_to is null)))
             from {ReadModelSchema.States} s where s.pledge_id = v.pledge_id and s.valid_to is null))::text
         from {ReadModelSchema.Versions} v where v.pledge_id = ?
         """;

    /// <summary>The pledge's head, or null when the read model holds nothing of it (or not both axes).</summary>
    public static async Task<ReadModelHead?> LoadAsync(IDocumentOperations operations, string pledgeId, CancellationToken ct)
    {
        var rows = await operations.AdvancedSql.QueryAsync<string>(Sql, ct, pledgeId);
        return rows.Count == 1 ? Parse(rows[0]) : null;
    }

    public static ReadModelHead? Parse(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        AxisHead? recorded = null, occurred = null;
        foreach (var axis in node["axes"]?.AsArray() ?? [])
        {
            var head = ParseAxis(axis!.AsObject());
            if (head is null) return null;
            if (head.Axis == Axis.Recorded) recorded = head;
            else occurred = head;
        }
        if (recorded is null || occurred is null) return null;
        (DateOnly, DateOnly)? tail = node["tailLatest"] is { } latest && node["tailEarliest"] is { } earliest
            ? (DateOnly.Parse(latest.GetValue<string>()), DateOnly.Parse(earliest.GetValue<string>()))
            : null;
        return new ReadModelHead(node["version"]!.GetValue<long>(), tail, recorded, occurred);
    }

    private static AxisHead? ParseAxis(JsonObject axis)
    {
        var name = axis["axis"]!.GetValue<string>();
        var which = name == ReadModelWrites.Name(Axis.Recorded) ? Axis.Recorded : Axis.Occurred;
        if (axis["runFrom"] is not { } runFrom) return null;
        var from = DateOnly.Parse(axis["from"]!.GetValue<string>());
        var milestones = new List<MilestoneSpan>();
        foreach (var m in axis["milestones"]!.AsArray())
        {
            // The open spans hold the state's milestone list, one a position from 0: anything else is not a head to extend.
            if (m!["position"]!.GetValue<int>() != milestones.Count) return null;
            milestones.Add(new MilestoneSpan(which, milestones.Count, DateOnly.Parse(m["from"]!.GetValue<string>()), null,
                m["milestone"].Deserialize<MilestoneState>(ReadModelWrites.Json)!));
        }
        var state = axis["state"].Deserialize<Pledge>(ReadModelWrites.Json)!
            with { Milestones = milestones.Select(m => m.Milestone).ToImmutableList() };
        return new AxisHead(which, from, state, DateOnly.Parse(runFrom.GetValue<string>()), milestones);
    }
}
