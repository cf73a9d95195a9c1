using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.ReadModel;

/// <summary>A pledge's state over [From, To) on one axis (To null: still so today).</summary>
public sealed record StateSpan(Axis Axis, DateOnly From, DateOnly? To, Pledge State);

/// <summary>
/// What the read model holds of a pledge at its end on one axis: the open state span (the day it began, and
/// the whole state with its milestones), the day its open status run began, and its open milestone spans.
/// </summary>
public sealed record AxisHead(Axis Axis, DateOnly From, Pledge State, DateOnly RunFrom, IReadOnlyList<MilestoneSpan> Milestones);

/// <summary>A milestone, at its place in the pledge's milestone list, as it stood over [From, To).</summary>
public sealed record MilestoneSpan(Axis Axis, int Position, DateOnly From, DateOnly? To, MilestoneState Milestone);

/// <summary>
/// A pledge's whole history as spans of unchanging state on each axis, so that "as of D" is the
/// span that contains D — a lookup by index instead of a fold. Computed from one stream at write
/// time with exactly the semantics of <see cref="PledgeAsOf"/> (the oracle the tests compare with).
/// </summary>
public static class PledgeHistory
{
    public static IReadOnlyList<StateSpan> Spans(IReadOnlyList<StoredEvent> stream, Axis axis) =>
        axis == Axis.Recorded ? RecordedSpans(stream) : OccurredSpans(stream);

    public static IReadOnlyList<StateSpan> RecordedSpans(IReadOnlyList<StoredEvent> stream)
    {
        var ordered = stream.OrderBy(e => e.Version).ToList();
        var states = new List<(DateOnly From, Pledge State)>();
        if (ordered.Count == 0) return [];
        if (IsRecordedInVersionOrder(ordered))
        {
            if (ordered[0].Data is not PledgeRegistered registered) return [];
            var pledge = Pledge.Create(registered) with { Version = ordered[0].Version };
            for (var i = 1; i <= ordered.Count; i++)
            {
                var day = RecordedDay(ordered[i - 1]);
                if (i == ordered.Count || RecordedDay(ordered[i]) != day) states.Add((day, pledge));
                if (i < ordered.Count) pledge = pledge.Then(ordered[i].Data) with { Version = ordered[i].Version };
            }
        }
        else
        {
            // Clocks that went back between appends: each day's state is then its own fold.
            foreach (var day in ordered.Select(RecordedDay).Distinct().Order())
                if (PledgeAsOf.FoldRecorded(ordered, day) is { } state) states.Add((day, state));
        }
        return ToSpans(Axis.Recorded, states);
    }

    public static IReadOnlyList<StateSpan> OccurredSpans(IReadOnlyList<StoredEvent> stream)
    {
        var facts = PledgeAsOf.OccurredFacts(stream, out var registered);
        if (registered is null) return [];
        var start = PartialDate.Parse(registered.MadeOn).Latest;
        var states = new List<(DateOnly From, Pledge State)>();
        var pledge = Pledge.Create(registered);
        long version = 1;
        var i = 0;
        // Facts dated up to the made-on day are already known when the pledge first appears.
        for (; i < facts.Count && facts[i].Date.Latest <= start; i++) Fold(facts[i]);
        states.Add((start, pledge with { Version = version }));
        while (i < facts.Count)
        {
            var day = facts[i].Date.Latest;
            for (; i < facts.Count && facts[i].Date.Latest == day; i++) Fold(facts[i]);
            states.Add((day, pledge with { Version = version }));
        }
        return ToSpans(Axis.Occurred, states);

        void Fold(PledgeAsOf.Fact fact)
        {
            pledge = pledge.Then(fact.Data);
            version = Math.Max(version, fact.Version);
        }
    }

    /// <summary>
    /// Each milestone's spans, from the list in each state (a position holds one milestone). With
    /// <paramref name="openBefore"/>, the spans still open before the first state (where each began): a
    /// milestone that stays as it was keeps its span, one that changes ends it.
    /// </summary>
    public static IReadOnlyList<MilestoneSpan> Milestones(IReadOnlyList<StateSpan> spans, IReadOnlyList<MilestoneSpan>? openBefore = null)
    {
        var result = new List<MilestoneSpan>();
        var open = new List<(DateOnly From, MilestoneState Milestone)?>();
        foreach (var seed in openBefore ?? [])
        {
            while (open.Count <= seed.Position) open.Add(null);
            open[seed.Position] = (seed.From, seed.Milestone);
        }
        foreach (var span in spans)
        {
            var list = span.State.Milestones;
            for (var j = 0; j < Math.Max(list.Count, open.Count); j++)
            {
                var now = j < list.Count ? list[j] : null;
                var before = j < open.Count ? open[j] : null;
                if (before is { } b && b.Milestone == now) continue;
                // (A span that began on this state's day is replaced, not ended: it would be empty.)
                if (before is { } closed && closed.From < span.From) result.Add(new MilestoneSpan(span.Axis, j, closed.From, span.From, closed.Milestone));
                while (open.Count <= j) open.Add(null);
                open[j] = now is null ? null : (span.From, now);
            }
        }
        for (var j = 0; j < open.Count; j++)
            if (open[j] is { } o) result.Add(new MilestoneSpan(spans[0].Axis, j, o.From, spans[^1].To, o.Milestone));
        return result;
    }

    /// <summary>
    /// The spans from the open one on (<paramref name="head"/>) when events that fold after everything it holds
    /// are added: each keeps the state it had, and the events fold into the state of their day (on the
    /// occurred axis a fact dated before the open span's day folds into it, as it would have). Null when a day
    /// goes back, which only a fold of the whole stream gets right.
    /// </summary>
    public static IReadOnlyList<StateSpan>? Continue(AxisHead head, IEnumerable<(DateOnly Day, long Version, object Data)> ordered)
    {
        var states = new List<(DateOnly From, Pledge State)> { (head.From, head.State) };
        foreach (var (day, version, data) in ordered)
        {
            var from = day < head.From ? head.From : day;
            if (from < states[^1].From) return null;
            if (from > states[^1].From) states.Add((from, states[^1].State));
            var state = states[^1].State;
            // The recorded axis stamps each state with its last event's version; the occurred axis with the highest folded.
            states[^1] = (from, state.Then(data) with { Version = head.Axis == Axis.Recorded ? version : Math.Max(state.Version, version) });
        }
        return ToSpans(head.Axis, states);
    }

    /// <summary>
    /// The first day from which appending <paramref name="added"/> to <paramref name="stored"/> can
    /// change the pledge's state on the axis; everything before it stays as it was.
    /// </summary>
    public static DateOnly ChangedFrom(IReadOnlyList<StoredEvent> stored, IReadOnlyList<StoredEvent> added, Axis axis)
    {
        if (stored.Count == 0 || added.Count == 0) return DateOnly.MinValue;
        if (axis == Axis.Recorded)
        {
            var first = added.Min(RecordedDay);
            // A clock that went back makes an earlier day's state a fold of its own: start over.
            return first < stored.Max(RecordedDay) ? DateOnly.MinValue : first;
        }
        var from = DateOnly.MaxValue;
        foreach (var e in added)
        {
            if (e.Data is PledgeRegistered) return DateOnly.MinValue;
            // A correction or retraction changes its milestone, and what was attached to it, wherever they stood.
            if (e.Data is IMilestoneEvent { MilestoneId: { } milestoneId } and (MilestoneCorrected or MilestoneRetracted))
            {
                foreach (var other in stored.Concat(added))
                    if (other.Data is IMilestoneEvent m && m.MilestoneId == milestoneId && OccurredLatest(other.Data) is { } d && d < from) from = d;
            }
            if (OccurredLatest(e.Data) is { } day && day < from) from = day;
        }
        return from;
    }

    private static DateOnly? OccurredLatest(object data) =>
        data is IPledgeEvent { OccurredOn: { } on } && PartialDate.TryParse(on, out var date) ? date.Latest : null;

    public static DateOnly RecordedDay(StoredEvent e) => DateOnly.FromDateTime(e.RecordedAt.UtcDateTime);

    private static bool IsRecordedInVersionOrder(List<StoredEvent> ordered)
    {
        for (var i = 1; i < ordered.Count; i++)
            if (RecordedDay(ordered[i]) < RecordedDay(ordered[i - 1])) return false;
        return true;
    }

    private static List<StateSpan> ToSpans(Axis axis, List<(DateOnly From, Pledge State)> states) =>
        states.Select((s, i) => new StateSpan(axis, s.From, i + 1 < states.Count ? states[i + 1].From : null, s.State)).ToList();
}
