namespace R2PTracker.Commitments.Pledges.AsOf;

public enum Axis { Occurred, Recorded }

/// <summary>What a fold needs of a stored event: its version, when it was recorded, and its data.</summary>
public readonly record struct StoredEvent(long Version, DateTimeOffset RecordedAt, object Data);

/// <summary>
/// The state of a pledge as of a date, on either time axis (see README, "As of any date").
/// Recorded: the events this tracker had stored by the end of that day (UTC), folded in version order —
///   what the tracker showed then.
/// Occurred: today's knowledge of what had happened by that day. Corrections and retractions are
///   knowledge, so they are applied to their milestone whatever the date; then each fact counts once
///   its occurred-on date has wholly passed — a partial date counts from its LAST day ("2016" from
///   2016-12-31, "2019-12" from 2019-12-31) — and facts are folded in the order of that last day,
///   then first day, then version. The pledge itself exists once its made-on date has wholly passed.
/// </summary>
public static class PledgeAsOf
{
    public static Pledge? Fold(IReadOnlyList<StoredEvent> stream, DateOnly asOf, Axis axis) =>
        axis == Axis.Recorded ? FoldRecorded(stream, asOf) : FoldOccurred(stream, asOf);

    /// <summary>The first moment after the end of the as-of day (UTC): what was recorded before it counts.</summary>
    public static DateTimeOffset EndOfDay(DateOnly asOf) => new(asOf.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static Pledge? FoldRecorded(IReadOnlyList<StoredEvent> stream, DateOnly asOf)
    {
        var endOfDay = EndOfDay(asOf);
        var recorded = stream.OrderBy(e => e.Version).Where(e => e.RecordedAt < endOfDay).ToList();
        if (recorded.Count == 0 || recorded[0].Data is not PledgeRegistered registered) return null;
        var pledge = Pledge.Create(registered);
        foreach (var e in recorded.Skip(1)) pledge = pledge.Then(e.Data);
        return pledge with { Version = recorded[^1].Version };
    }

    public static Pledge? FoldOccurred(IReadOnlyList<StoredEvent> stream, DateOnly asOf)
    {
        var facts = OccurredFacts(stream, out var registered);
        if (registered is null || PartialDate.Parse(registered.MadeOn).Latest > asOf) return null;
        var pledge = Pledge.Create(registered);
        long version = 1;
        foreach (var fact in facts.TakeWhile(f => f.Date.Latest <= asOf))
        {
            pledge = pledge.Then(fact.Data);
            version = Math.Max(version, fact.Version);
        }
        return pledge with { Version = version };
    }

    /// <summary>A fact of the occurred axis: an event as today's knowledge has it, at the date it happened.</summary>
    public readonly record struct Fact(PartialDate Date, long Version, object Data);

    /// <summary>
    /// The stream's facts in the order the occurred axis folds them (last day, first day, version):
    /// retracted milestones (and what was attached to them) left out, corrections applied to their
    /// milestone. Null <paramref name="registered"/> if the stream does not start with a registration.
    /// </summary>
    public static List<Fact> OccurredFacts(IReadOnlyList<StoredEvent> stream, out PledgeRegistered? registered)
    {
        var ordered = stream.OrderBy(e => e.Version).ToList();
        registered = ordered.Count > 0 ? ordered[0].Data as PledgeRegistered : null;
        if (registered is null) return [];

        var retracted = ordered.Select(e => e.Data).OfType<MilestoneRetracted>().Select(r => r.MilestoneId).ToHashSet();
        var corrections = new Dictionary<string, MilestoneCorrected>();
        foreach (var c in ordered.Select(e => e.Data).OfType<MilestoneCorrected>()) corrections[c.MilestoneId] = c;

        var facts = new List<Fact>();
        foreach (var e in ordered.Skip(1))
        {
            object? fact = e.Data switch
            {
                MilestoneLogged m when retracted.Contains(m.MilestoneId) => null,
                MilestoneLogged m when corrections.TryGetValue(m.MilestoneId, out var c) =>
                    m with { Title = c.Title, Description = c.Description, OccurredOn = c.OccurredOn, Evidence = c.Evidence },
                MilestoneCorrected or MilestoneRetracted => null,
                EvidenceAttached a when a.MilestoneId is not null && retracted.Contains(a.MilestoneId) => null,
                _ => e.Data,
            };
            if (fact is not null && OccurredOn(fact) is { } date) facts.Add(new Fact(PartialDate.Parse(date), e.Version, fact));
        }
        facts.Sort((a, b) => (a.Date.Latest, a.Date.Earliest, a.Version).CompareTo((b.Date.Latest, b.Date.Earliest, b.Version)));
        return facts;
    }

    /// <summary>When an event says something happened (a partial date), or null for pure corrections.</summary>
    public static string? OccurredOn(object data) => (data as IPledgeEvent)?.OccurredOn;

    public static string? RecordedBy(object data) => (data as IPledgeEvent)?.RecordedBy;

    /// <summary>Parses ?axis= (occurred when absent).</summary>
    public static bool TryParseAxis(string? axisText, Http.Validation v, out Axis axis)
    {
        axis = Axis.Occurred;
        if (axisText is null or "occurred") return true;
        if (axisText == "recorded") { axis = Axis.Recorded; return true; }
        v.Add("axis", "'axis' must be 'occurred' or 'recorded'.");
        return false;
    }

    /// <summary>Parses ?asOf= and ?axis=; a partial asOf means its last day.</summary>
    public static bool TryParse(string? asOfText, string? axisText, Http.Validation v, out DateOnly? asOf, out Axis axis)
    {
        asOf = null;
        axis = Axis.Occurred;
        TryParseAxis(axisText, v, out axis);
        if (asOfText is not null)
        {
            if (PartialDate.TryParse(asOfText, out var date)) asOf = date.Latest;
            else v.Add("asOf", "'asOf' must be a date of the form YYYY-MM-DD (or YYYY-MM, YYYY: its last day).");
        }
        else if (axisText is not null) v.Add("asOf", "'asOf' is required when 'axis' is given.");
        return v.IsValid;
    }
}
