using System.Text.Json;
using R2PTracker.Contracts;

namespace R2PTracker.Notifications.Webhooks;

/// <summary>The JSON a subscriber receives: {type, timestamp, data}.</summary>
public record WebhookPayload(string Type, DateTimeOffset Timestamp, object Data)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static WebhookPayload From(IPledgeIntegrationEvent e) => e switch
    {
        PledgeStatusChanged s => new("pledge.status_changed", s.RecordedAt, new
        {
            eventId = s.EventId, pledgeId = s.PledgeId, version = s.StreamVersion, previousStatus = s.PreviousStatus,
            status = s.Status, reason = s.Reason, evidence = s.Evidence, occurredOn = s.OccurredOn,
            recordedAt = s.RecordedAt, recordedBy = s.RecordedBy,
        }),
        MilestoneLogged m => new("pledge.milestone_logged", m.RecordedAt, new
        {
            eventId = m.EventId, pledgeId = m.PledgeId, version = m.StreamVersion, milestoneId = m.MilestoneId,
            title = m.Title, description = m.Description, evidence = m.Evidence, occurredOn = m.OccurredOn,
            recordedAt = m.RecordedAt, recordedBy = m.RecordedBy,
        }),
        PledgeRegistered r => new("pledge.registered", r.RecordedAt, new
        {
            eventId = r.EventId, pledgeId = r.PledgeId, version = r.StreamVersion, title = r.Title, actor = r.Actor,
            country = r.Country, status = r.Status, madeOn = r.OccurredOn, recordedAt = r.RecordedAt,
            recordedBy = r.RecordedBy,
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "No webhook type for this event."),
    };
}
