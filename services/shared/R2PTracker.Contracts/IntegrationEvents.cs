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
    IReadOnlyList<EvidenceLink> Evidence) : IPledgeIntegrationEvent;

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
