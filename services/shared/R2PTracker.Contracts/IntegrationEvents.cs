namespace R2PTracker.Contracts;

// Integration events published by commitments. The MassTransit message id of each one is
// EventId (the Marten event id), so consumers de-duplicate redeliveries by it.

public record EvidenceLink(string Title, string? Url, string? PublishedOn);

public interface IPledgeIntegrationEvent
{
    Guid EventId { get; }
    string PledgeId { get; }
    long StreamVersion { get; }
    string OccurredOn { get; }
    DateTimeOffset RecordedAt { get; }
    string RecordedBy { get; }
}

public record PledgeRegistered(
    Guid EventId,
    string PledgeId,
    long StreamVersion,
    string OccurredOn,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    string Title,
    string Actor,
    string Country,
    string Status) : IPledgeIntegrationEvent;

public record PledgeStatusChanged(
    Guid EventId,
    string PledgeId,
    long StreamVersion,
    string OccurredOn,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    string PreviousStatus,
    string Status,
    string Reason,
    IReadOnlyList<EvidenceLink> Evidence,
    string? ReasonCode = null) : IPledgeIntegrationEvent
{
    /// <summary>For a verdict decided by two-person review: who proposed it (null for a direct assessment).</summary>
    public string? ProposedBy { get; init; }

    /// <summary>For a verdict decided by review: who approved it.</summary>
    public IReadOnlyList<string>? ApprovedBy { get; init; }
}

public record MilestoneLogged(
    Guid EventId,
    string PledgeId,
    long StreamVersion,
    string OccurredOn,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    string MilestoneId,
    string Title,
    string Description,
    IReadOnlyList<EvidenceLink> Evidence) : IPledgeIntegrationEvent;

// Added with the full pledge record (issue 4). Same envelope; consumers that do not know them
// simply have no binding for their exchanges.

public record PledgeProgressAssessed(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    int PreviousProgress, int Progress, string Reason, IReadOnlyList<EvidenceLink> Evidence) : IPledgeIntegrationEvent;

public record PledgeTargetDateSet(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string? PreviousTargetDate, string TargetDate, string Reason) : IPledgeIntegrationEvent;

public record PledgeDetailsRevised(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string? Title, string? Quote, string? Actor, string? Theme, string Reason) : IPledgeIntegrationEvent;

public record MilestoneCorrected(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string MilestoneId, string Title, string Description, string Reason, IReadOnlyList<EvidenceLink> Evidence) : IPledgeIntegrationEvent;

/// <summary>A retraction has no date of its own: OccurredOn is the day it was recorded.</summary>
public record MilestoneRetracted(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string MilestoneId, string Reason) : IPledgeIntegrationEvent;

public record PledgeEvidenceAttached(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string? MilestoneId, IReadOnlyList<EvidenceLink> Evidence) : IPledgeIntegrationEvent;

public record PledgeBecameOverdue(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string TargetDate) : IPledgeIntegrationEvent;

/// <summary>
/// The transparency log grew to <paramref name="TreeSize"/> and signed a checkpoint of it, taking the events
/// of these pledges: what shows their log indices or the checkpoint (histories, timelines, pages, exports,
/// feeds) changed. Published after the log's transaction commits; not a pledge change.
/// </summary>
public record LogCheckpointed(long TreeSize, IReadOnlyList<string> PledgeIds);

/// <summary>
/// A translation of one of a pledge's texts into <paramref name="Language"/> (BCP 47, "km" or "en").
/// <paramref name="Target"/> names the text as commitments' record does: "title", "quote", "statusReason",
/// "milestones/{milestoneId}/title" or "milestones/{milestoneId}/description". <paramref name="Original"/>
/// is the verbatim text that was translated: the translation stands for that text only, so a consumer
/// that sees the text revised (events of one pledge can arrive out of order) can tell it no longer applies.
/// <paramref name="Kind"/> is "official" or "unofficial".
/// </summary>
public record PledgeTranslationAdded(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string Target, string Language, string Text, string Original, string Translator, string Kind) : IPledgeIntegrationEvent;

/// <summary>
/// Staff asked <paramref name="To"/> (usually the pledge's actor) for a response to the pledge's current
/// verdict by <paramref name="By"/> (a date, YYYY[-MM[-DD]]; the deadline is its last day).
/// </summary>
public record PledgeReplyRequested(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string RequestId, string To, string By, string Verdict) : IPledgeIntegrationEvent;

/// <summary>The response to request <paramref name="RequestId"/>, given on behalf of <paramref name="OnBehalfOf"/> on OccurredOn.</summary>
public record PledgeReplyRecorded(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string RequestId, string OnBehalfOf, string Text) : IPledgeIntegrationEvent;

/// <summary>The pledge was screened (again) for verifiability: <paramref name="Verifiability"/> is Verifiable, Partly or NotVerifiable.</summary>
public record PledgeVerifiabilityAssessed(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string? Previous, string Verifiability, string Reason) : IPledgeIntegrationEvent;

/// <summary>
/// A verdict proposed for review (<paramref name="Status"/> from <paramref name="PreviousStatus"/>), not yet the
/// pledge's status: its approval is a <see cref="PledgeStatusChanged"/>. For staff (notifications' proposal.opened).
/// </summary>
public record PledgeStatusProposed(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    string ProposalId, string PreviousStatus, string Status, string Reason, IReadOnlyList<EvidenceLink> Evidence) : IPledgeIntegrationEvent;
