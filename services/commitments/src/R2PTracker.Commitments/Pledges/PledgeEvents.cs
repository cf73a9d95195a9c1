namespace R2PTracker.Commitments.Pledges;

public enum PledgeStatus { NotYetRated, InTheWorks, Stalled, Kept, Compromise, Broken }

/// <summary>Whether a pledge can be checked at all (after the OGP IRM's screen); see README, "Verifiability and reason codes".</summary>
public enum Verifiability { Verifiable, Partly, NotVerifiable }

/// <summary>Why a pledge is <c>Stalled</c> or <c>Broken</c>: the coded reason of such an assessment (README lists each one's meaning).</summary>
public enum StatusReasonCode { NoFunding, NoMajority, ChangedPosition, Superseded, ExternalEvents, Other }

public record SourceCitation(string Title, string Publisher, string? PublishedOn, string? Url, string? Note);

public record Evidence(string Title, string? Url, string? PublishedOn);

/// <summary>What every pledge event says: whose pledge, who recorded it, and when it happened (a partial
/// date; null for a pure correction such as a retraction, which has no date of its own).</summary>
public interface IPledgeEvent
{
    string PledgeId { get; }
    string RecordedBy { get; }
    string? OccurredOn { get; }
}

/// <summary>An event about one milestone (null: about the pledge as a whole).</summary>
public interface IMilestoneEvent : IPledgeEvent
{
    string? MilestoneId { get; }
}

/// <summary>An event that gives the reason for the change it records.</summary>
public interface IReasonedEvent : IPledgeEvent
{
    string Reason { get; }
}

/// <summary>An event that brings evidence.</summary>
public interface IEvidenceEvent : IPledgeEvent
{
    IReadOnlyList<Evidence> Evidence { get; }
}

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
    string RecordedBy,
    Verifiability? Verifiability = null,
    string? VerifiabilityReason = null) : IPledgeEvent
{
    string? IPledgeEvent.OccurredOn => MadeOn;
}

public record MilestoneLogged(
    string PledgeId,
    string MilestoneId,
    string Title,
    string Description,
    string OccurredOn,
    IReadOnlyList<Evidence> Evidence,
    string RecordedBy,
    PublicCredit? Credit = null) : IMilestoneEvent, IEvidenceEvent;

public record StatusAssessed(
    string PledgeId,
    PledgeStatus From,
    PledgeStatus To,
    string Reason,
    IReadOnlyList<Evidence> Evidence,
    string OccurredOn,
    string RecordedBy,
    StatusReasonCode? ReasonCode = null) : IEvidenceEvent, IReasonedEvent
{
    // A verdict decided by review (see ReviewingVerdicts) names its proposal, its proposer and its approvers;
    // a direct assessment has none, and its stored JSON stays as it was.
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ProposalId { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ProposedBy { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ApprovedBy { get; init; }
}

// Corrections are new events. A milestone correction carries the milestone's full corrected
// values; a retraction withdraws it (it no longer counts) but both stay in the record.

public record PledgeDetailsRevised(
    string PledgeId,
    string? Title,
    string? Quote,
    string? Actor,
    string? Theme,
    string Reason,
    string OccurredOn,
    string RecordedBy) : IReasonedEvent;

public record MilestoneCorrected(
    string PledgeId,
    string MilestoneId,
    string Title,
    string Description,
    string OccurredOn,
    IReadOnlyList<Evidence> Evidence,
    string Reason,
    string RecordedBy) : IMilestoneEvent, IEvidenceEvent, IReasonedEvent;

public record MilestoneRetracted(
    string PledgeId,
    string MilestoneId,
    string Reason,
    string RecordedBy) : IMilestoneEvent, IReasonedEvent
{
    string? IPledgeEvent.OccurredOn => null;
}

public record EvidenceAttached(
    string PledgeId,
    string? MilestoneId,
    IReadOnlyList<Evidence> Evidence,
    string OccurredOn,
    string RecordedBy,
    PublicCredit? Credit = null) : IMilestoneEvent, IEvidenceEvent;

public record ProgressAssessed(
    string PledgeId,
    int From,
    int To,
    string Reason,
    IReadOnlyList<Evidence> Evidence,
    string OccurredOn,
    string RecordedBy) : IEvidenceEvent, IReasonedEvent;

public record TargetDateSet(
    string PledgeId,
    string? Previous,
    string TargetDate,
    string? Note,
    string Reason,
    string OccurredOn,
    string RecordedBy) : IReasonedEvent;

/// <summary>Appended by the overdue monitor; OccurredOn is the first day after the target date.</summary>
public record PledgeBecameOverdue(
    string PledgeId,
    string TargetDate,
    string OccurredOn,
    string RecordedBy) : IPledgeEvent;

/// <summary>
/// A translation of one of the pledge's texts: its <see cref="Field"/> ("title" or "quote"; with a
/// <see cref="MilestoneId"/>, that milestone's "title" or "description") into <see cref="Language"/>.
/// <see cref="Original"/> is the verbatim text translated, as it stood: a translation counts only while the
/// text is still that one. A better translation is a new event; the latest per text and language counts.
/// </summary>
public record TranslationAdded(
    string PledgeId,
    string? MilestoneId,
    string Field,
    string Language,
    string Text,
    string Original,
    string Translator,
    string Kind,
    SourceCitation? Source,
    string OccurredOn,
    string RecordedBy) : IMilestoneEvent
{
    public const string Official = "official";
    public const string Unofficial = "unofficial";

    /// <summary>The reason given with the current status (the latest StatusAssessed); a new assessment ends its translations.</summary>
    public const string StatusReasonField = "statusReason";

    /// <summary>The text's address as the API writes it: "title", "quote", "statusReason", "milestones/{id}/title" …</summary>
    public string Target() => TargetOf(MilestoneId, Field);

    public static string TargetOf(string? milestoneId, string field) => milestoneId is null ? field : $"milestones/{milestoneId}/{field}";
}

/// <summary>
/// Right of reply: staff asked <see cref="To"/> for a response to the verdict the pledge had then
/// (<see cref="Verdict"/>, since <see cref="VerdictSince"/>) by <see cref="By"/>; OccurredOn is the day
/// they asked. <see cref="RequestId"/> ("reply-1", …) is what the reply names.
/// </summary>
public record ReplyRequested(
    string PledgeId,
    string RequestId,
    string To,
    string By,
    string? Note,
    PledgeStatus Verdict,
    string? VerdictSince,
    string OccurredOn,
    string RecordedBy) : IPledgeEvent;

/// <summary>The response to a <see cref="ReplyRequested"/>, as given on behalf of <see cref="OnBehalfOf"/>; OccurredOn is the day it was given.</summary>
public record ReplyRecorded(
    string PledgeId,
    string RequestId,
    string OnBehalfOf,
    string Text,
    SourceCitation? Source,
    string OccurredOn,
    string RecordedBy) : IPledgeEvent;

/// <summary>
/// A (re)assessment of whether the pledge can be verified, with the reason; OccurredOn is the day of the
/// screen. <see cref="From"/> is null when the pledge had not been screened before.
/// </summary>
public record VerifiabilityAssessed(
    string PledgeId,
    Verifiability? From,
    Verifiability To,
    string Reason,
    string OccurredOn,
    string RecordedBy) : IReasonedEvent;

/// <summary>
/// Two-person review: a verdict (Kept, Compromise, Broken) proposed by <see cref="IPledgeEvent.RecordedBy"/>. The
/// <see cref="Assessment"/> is the <see cref="StatusAssessed"/> that approval appends, whole, so every field an
/// assessment has is part of the proposal. OccurredOn is the day it was proposed. <see cref="ProposalId"/> is
/// "proposal-{version}", the stream version of this event.
/// </summary>
public record StatusProposed(
    string PledgeId,
    string ProposalId,
    StatusAssessed Assessment,
    string OccurredOn,
    string RecordedBy) : IPledgeEvent;

/// <summary>One approval of an open proposal that does not yet reach Review:VerdictApprovals (the last one appends the verdict instead).</summary>
public record ProposalApproved(
    string PledgeId,
    string ProposalId,
    string OccurredOn,
    string RecordedBy) : IPledgeEvent;

/// <summary>An open proposal refused by an editor (or withdrawn by its proposer), with the reason.</summary>
public record ProposalRejected(
    string PledgeId,
    string ProposalId,
    PledgeStatus Status,
    string Reason,
    string OccurredOn,
    string RecordedBy) : IReasonedEvent;

/// <summary>
/// On a milestone or evidence taken from a public submission (see Submissions/): the submission it came from,
/// and the name its submitter chose to be credited with (null: anonymous). Never the submitter's e-mail.
/// </summary>
public record PublicCredit(string SubmissionId, string? Name);

public static class PledgeEventTypes
{
    public static readonly Type[] All =
    [
        typeof(PledgeRegistered), typeof(MilestoneLogged), typeof(StatusAssessed), typeof(PledgeDetailsRevised),
        typeof(MilestoneCorrected), typeof(MilestoneRetracted), typeof(EvidenceAttached), typeof(ProgressAssessed),
        typeof(TargetDateSet), typeof(PledgeBecameOverdue), typeof(TranslationAdded), typeof(ReplyRequested), typeof(ReplyRecorded),
        typeof(VerifiabilityAssessed),
        typeof(StatusProposed), typeof(ProposalApproved), typeof(ProposalRejected),
    ];

    private static readonly Dictionary<string, Type> ByDotNetName =
        All.ToDictionary(t => $"{t.FullName}, {t.Assembly.GetName().Name}", StringComparer.Ordinal);

    /// <summary>The event type for a stored mt_dotnet_type value ("Namespace.Type, Assembly"), or null for anything else.</summary>
    public static Type? ByStoredName(string dotNetName) => ByDotNetName.GetValueOrDefault(dotNetName);
}
