using System.Text.Json;
using R2PTracker.Contracts;

namespace R2PTracker.Notifications.Webhooks;

/// <summary>
/// The JSON a subscriber receives: {type, timestamp, data}. The data are the event's, language-neutral,
/// plus <c>titles</c>: the pledge's title in each language it is available in, the verbatim original under
/// "und" and each current translation under its language ("km", "en"); null if notifications has not
/// heard of the pledge's registration. E-mail alerts are written from the same payload.
/// </summary>
public record WebhookPayload(string Type, DateTimeOffset Timestamp, object Data)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <param name="titles">The pledge's titles by language (<see cref="Pledges.PledgeProfile.Titles"/>), when known.</param>
    public static WebhookPayload From(IPledgeIntegrationEvent e, IReadOnlyDictionary<string, string>? titles = null) => e switch
    {
        PledgeStatusChanged s => new("pledge.status_changed", s.RecordedAt, new
        {
            eventId = s.EventId, pledgeId = s.PledgeId, version = s.StreamVersion, previousStatus = s.PreviousStatus,
            status = s.Status, reason = s.Reason, evidence = s.Evidence, occurredOn = s.OccurredOn,
            recordedAt = s.RecordedAt, recordedBy = s.RecordedBy, titles,
            // The coded reason of a Stalled or Broken verdict (NoFunding, …; see commitments' README); null otherwise.
            reasonCode = s.ReasonCode,
        }),
        MilestoneLogged m => new("pledge.milestone_logged", m.RecordedAt, new
        {
            eventId = m.EventId, pledgeId = m.PledgeId, version = m.StreamVersion, milestoneId = m.MilestoneId,
            title = m.Title, description = m.Description, evidence = m.Evidence, occurredOn = m.OccurredOn,
            recordedAt = m.RecordedAt, recordedBy = m.RecordedBy, titles,
        }),
        PledgeRegistered r => new("pledge.registered", r.RecordedAt, new
        {
            eventId = r.EventId, pledgeId = r.PledgeId, version = r.StreamVersion, title = r.Title, actor = r.Actor,
            country = r.Country, status = r.Status, madeOn = r.OccurredOn, recordedAt = r.RecordedAt,
            recordedBy = r.RecordedBy, titles = titles ?? new Dictionary<string, string> { [Pledges.PledgeProfile.OriginalLanguage] = r.Title },
        }),
        // A verdict proposed for review (not yet the pledge's status): proposedBy is who proposed it.
        PledgeStatusProposed p => new("proposal.opened", p.RecordedAt, new
        {
            eventId = p.EventId, pledgeId = p.PledgeId, version = p.StreamVersion, proposalId = p.ProposalId, previousStatus = p.PreviousStatus,
            status = p.Status, reason = p.Reason, evidence = p.Evidence, occurredOn = p.OccurredOn, recordedAt = p.RecordedAt,
            recordedBy = p.RecordedBy, proposedBy = p.RecordedBy, titles,
        }),
        // For staff: that a submission awaits moderation, never what it says or who sent it (the queue shows that).
        SubmissionReceived r => new("submission.received", r.RecordedAt, new
        {
            eventId = r.EventId, submissionId = r.SubmissionId, pledgeId = r.PledgeId, linkCount = r.LinkCount, receivedAt = r.RecordedAt, titles,
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "No webhook type for this event."),
    };
}
