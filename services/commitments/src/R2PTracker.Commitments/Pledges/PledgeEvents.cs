namespace R2PTracker.Commitments.Pledges;

public enum PledgeStatus { NotYetRated, InTheWorks, Stalled, Kept, Compromise, Broken }

public record SourceCitation(string Title, string Publisher, string? PublishedOn, string? Url, string? Note);

public record Evidence(string Title, string? Url, string? PublishedOn);

// Domain events: past-tense facts, each naming the staff member who recorded it (RecordedBy)
// and the date it happened (OccurredOn / MadeOn, a partial date). When it was recorded is
// Marten's event timestamp.

public record PledgeRegistered(
    string PledgeId,
    string Title,
    string Quote,
    string Actor,
    string Country,
    string MadeOn,
    string? MadeOnNote,
    string? TargetDate,
    string? TargetDateNote,
    string? Theme,
    SourceCitation Source,
    string RecordedBy);

public record MilestoneLogged(
    string PledgeId,
    string MilestoneId,
    string Title,
    string Description,
    string OccurredOn,
    IReadOnlyList<Evidence> Evidence,
    string RecordedBy);

public record StatusAssessed(
    string PledgeId,
    PledgeStatus From,
    PledgeStatus To,
    string Reason,
    IReadOnlyList<Evidence> Evidence,
    string OccurredOn,
    string RecordedBy);
