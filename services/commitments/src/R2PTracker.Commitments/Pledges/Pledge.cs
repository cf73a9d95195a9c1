namespace R2PTracker.Commitments.Pledges;

/// <summary>The current state of a pledge: the inline snapshot of its event stream.</summary>
public sealed partial record Pledge
{
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
    public int MilestoneCount { get; init; }

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
    };

    public Pledge Apply(MilestoneLogged e) => this with { MilestoneCount = MilestoneCount + 1 };

    // Kept means fulfilled: progress goes to 100. Other statuses leave progress where it was
    // (ProgressAssessed, a later issue, sets it explicitly).
    public Pledge Apply(StatusAssessed e) => this with
    {
        Status = e.To,
        StatusReason = e.Reason,
        StatusSince = e.OccurredOn,
        Progress = e.To == PledgeStatus.Kept ? 100 : Progress,
    };
}
