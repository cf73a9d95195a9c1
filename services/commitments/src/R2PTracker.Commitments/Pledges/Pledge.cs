using System.Collections.Immutable;

namespace R2PTracker.Commitments.Pledges;

public record MilestoneState(string Id, string Title, string Description, string OccurredOn, int EvidenceCount, bool Retracted);

/// <summary>The current state of a pledge: the inline snapshot of its event stream.</summary>
public sealed partial record Pledge
{
    public static readonly PledgeStatus[] Settled = [PledgeStatus.Kept, PledgeStatus.Compromise, PledgeStatus.Broken];

    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Quote { get; init; }
    public required string Actor { get; init; }
    public required string Country { get; init; }
    public required string MadeOn { get; init; }
    public string? MadeOnNote { get; init; }
    public string? TargetDate { get; init; }
    public string? TargetDateNote { get; init; }
    public string? Theme { get; init; }
    public required SourceCitation Source { get; init; }
    public PledgeStatus Status { get; init; } = PledgeStatus.NotYetRated;
    public string? StatusReason { get; init; }
    public string? StatusSince { get; init; }
    public int Progress { get; init; }
    public string? ProgressReason { get; init; }

    /// <summary>Milestones that count (retracted ones are left out).</summary>
    public int MilestoneCount { get; init; }

    public IReadOnlyList<MilestoneState> Milestones { get; init; } = ImmutableList<MilestoneState>.Empty;
    public int EvidenceCount { get; init; }

    /// <summary>True once the current target date passed unfulfilled (set by PledgeBecameOverdue, reset by a new target).</summary>
    public bool Overdue { get; init; }
    public string? OverdueSince { get; init; }

    /// <summary>The stream version, set by Marten after each event.</summary>
    public long Version { get; set; }

    public static Pledge Create(PledgeRegistered e) => new()
    {
        Id = e.PledgeId,
        Title = e.Title,
        Quote = e.Quote,
        Actor = e.Actor,
        Country = e.Country,
        MadeOn = e.MadeOn,
        MadeOnNote = e.MadeOnNote,
        TargetDate = e.TargetDate,
        TargetDateNote = e.TargetDateNote,
        Theme = e.Theme,
        Source = e.Source,
        EvidenceCount = e.Source.Url is null ? 0 : 1,
    };

    public MilestoneState? Milestone(string id) => Milestones.FirstOrDefault(m => m.Id == id);

    // Milestones are kept in an immutable list so that folding a long stream does not copy the
    // whole list at each step; the counts are kept as running totals for the same reason.
    public Pledge Apply(MilestoneLogged e)
    {
        var logged = new MilestoneState(e.MilestoneId, e.Title, e.Description, e.OccurredOn, e.Evidence.Count, false);
        return this with
        {
            Milestones = MilestoneList.Add(logged),
            MilestoneCount = MilestoneCount + 1,
            EvidenceCount = EvidenceCount + e.Evidence.Count,
        };
    }

    public Pledge Apply(MilestoneCorrected e) => WithMilestone(e.MilestoneId,
        m => m with { Title = e.Title, Description = e.Description, OccurredOn = e.OccurredOn, EvidenceCount = e.Evidence.Count });

    public Pledge Apply(MilestoneRetracted e) => WithMilestone(e.MilestoneId, m => m with { Retracted = true });

    public Pledge Apply(EvidenceAttached e)
    {
        var pledge = e.MilestoneId is null
            ? this
            : WithMilestone(e.MilestoneId, m => m with { EvidenceCount = m.EvidenceCount + e.Evidence.Count });
        return pledge with { EvidenceCount = EvidenceCount + e.Evidence.Count };
    }

    // Kept means fulfilled: progress goes to 100 (see README, "Kept implies 100").
    public Pledge Apply(StatusAssessed e) => this with
    {
        Status = e.To,
        StatusReason = e.Reason,
        StatusSince = e.OccurredOn,
        Progress = e.To == PledgeStatus.Kept ? 100 : Progress,
        EvidenceCount = EvidenceCount + e.Evidence.Count,
    };

    public Pledge Apply(ProgressAssessed e) => this with
    {
        Progress = e.To,
        ProgressReason = e.Reason,
        EvidenceCount = EvidenceCount + e.Evidence.Count,
    };

    public Pledge Apply(TargetDateSet e) => this with
    {
        TargetDate = e.TargetDate,
        TargetDateNote = e.Note,
        Overdue = false,
        OverdueSince = null,
    };

    public Pledge Apply(PledgeDetailsRevised e) => this with
    {
        Title = e.Title ?? Title,
        Quote = e.Quote ?? Quote,
        Actor = e.Actor ?? Actor,
        Theme = e.Theme ?? Theme,
    };

    public Pledge Apply(PledgeBecameOverdue e) => this with { Overdue = true, OverdueSince = e.OccurredOn };

    private ImmutableList<MilestoneState> MilestoneList =>
        Milestones as ImmutableList<MilestoneState> ?? ImmutableList.CreateRange(Milestones);

    private Pledge WithMilestone(string milestoneId, Func<MilestoneState, MilestoneState> change)
    {
        var list = MilestoneList;
        var index = list.FindIndex(m => m.Id == milestoneId);
        if (index < 0) return this;
        var before = list[index];
        var after = change(before);
        var counted = (before.Retracted ? 0 : 1) - (after.Retracted ? 0 : 1);
        return this with { Milestones = list.SetItem(index, after), MilestoneCount = MilestoneCount - counted };
    }
}

/// <summary>
/// Kept out of <see cref="Pledge"/> on purpose: Marten treats a method named Evolve on the
/// aggregate as its whole projection.
/// </summary>
public static class PledgeFolding
{
    /// <summary>One fold step for any pledge event, used by the as-of reads.</summary>
    public static Pledge Then(this Pledge pledge, object e) => e switch
    {
        MilestoneLogged x => pledge.Apply(x),
        MilestoneCorrected x => pledge.Apply(x),
        MilestoneRetracted x => pledge.Apply(x),
        EvidenceAttached x => pledge.Apply(x),
        StatusAssessed x => pledge.Apply(x),
        ProgressAssessed x => pledge.Apply(x),
        TargetDateSet x => pledge.Apply(x),
        PledgeDetailsRevised x => pledge.Apply(x),
        PledgeBecameOverdue x => pledge.Apply(x),
        _ => pledge,
    };
}
