using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using System.Diagnostics;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Telemetry;
using R2PTracker.ServiceDefaults;
using Contracts = R2PTracker.Contracts;

namespace R2PTracker.Commitments.Forwarding;

/// <summary>
/// A Marten subscription, run by the async daemon (HotCold: one instance at a time holds it),
/// that publishes each domain event as an integration event. The message id is the Marten
/// event id, so a page re-delivered after a failover is de-duplicated downstream.
/// Publishing awaits RabbitMQ's confirms; if one fails the page fails and the checkpoint does
/// not advance, so nothing is skipped.
/// </summary>
public sealed class IntegrationEventForwarder : SubscriptionBase
{
    private readonly IBus _bus;
    private readonly CommitmentsTelemetry _telemetry;
    private readonly TimeProvider _clock;

    public IntegrationEventForwarder(IBus bus, CommitmentsTelemetry telemetry, TimeProvider clock)
    {
        _bus = bus;
        _telemetry = telemetry;
        _clock = clock;
        Name = "integration-event-forwarder";
        IncludeType<PledgeRegistered>();
        IncludeType<MilestoneLogged>();
        IncludeType<StatusAssessed>();
        IncludeType<ProgressAssessed>();
        IncludeType<TargetDateSet>();
        IncludeType<PledgeDetailsRevised>();
        IncludeType<MilestoneCorrected>();
        IncludeType<MilestoneRetracted>();
        IncludeType<EvidenceAttached>();
        IncludeType<PledgeBecameOverdue>();
        IncludeType<TranslationAdded>();
        IncludeType<ReplyRequested>();
        IncludeType<ReplyRecorded>();
        IncludeType<VerifiabilityAssessed>();
        IncludeType<StatusProposed>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        // The whole page is published at once and its confirms awaited together (one broker round
        // trip instead of one per event); the checkpoint still advances only once all are confirmed.
        var confirms = new List<Task>(page.Events.Count);
        foreach (var e in page.Events)
        {
            if (ToIntegrationEvent(e) is not { } message) continue;
            confirms.Add(PublishAsync(e, message, ct));
        }
        await Task.WhenAll(confirms);
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// Publishes in a span that continues the trace of the write that appended the event (its
    /// traceparent header), so MassTransit's send span, and the traceparent it puts on the message,
    /// belong to that trace. (The span is current in this call alone: an async method's change to
    /// Activity.Current does not reach its caller.)
    /// </summary>
    private async Task PublishAsync(IEvent e, Contracts.IPledgeIntegrationEvent message, CancellationToken ct)
    {
        using var span = CommitmentsTelemetry.Source.StartContinuing("forward " + e.EventTypeName, ActivityKind.Producer, TraceParentOf(e));
        span?.SetTag("r2p.event.id", e.Id.ToString());
        span?.SetTag("r2p.pledge.id", e.StreamKey);
        await _bus.Publish(message, message.GetType(), ctx => ctx.MessageId = e.Id, ct);
        _telemetry.Forwarded(e.Timestamp, _clock.GetUtcNow());
    }

    private static string? TraceParentOf(IEvent e) =>
        e.Headers?.GetValueOrDefault(ServiceDefaults.Telemetry.TraceParentHeader)?.ToString() is { Length: > 0 } value ? value : null;

    public static Contracts.IPledgeIntegrationEvent? ToIntegrationEvent(IEvent e) => e.Data switch
    {
        PledgeRegistered r => new Contracts.PledgeRegistered(
            e.Id, r.PledgeId, e.Version, r.MadeOn, e.Timestamp, r.RecordedBy, r.Title, r.Actor, r.Country,
            nameof(PledgeStatus.NotYetRated)),
        StatusAssessed s => new Contracts.PledgeStatusChanged(
            e.Id, s.PledgeId, e.Version, s.OccurredOn, e.Timestamp, s.RecordedBy, s.From.ToString(), s.To.ToString(),
            s.Reason, s.Evidence.Select(ToLink).ToList(), s.ReasonCode?.ToString()) { ProposedBy = s.ProposedBy, ApprovedBy = s.ApprovedBy },
        MilestoneLogged m => new Contracts.MilestoneLogged(
            e.Id, m.PledgeId, e.Version, m.OccurredOn, e.Timestamp, m.RecordedBy, m.MilestoneId, m.Title,
            m.Description, m.Evidence.Select(ToLink).ToList()),
        ProgressAssessed p => new Contracts.PledgeProgressAssessed(
            e.Id, p.PledgeId, e.Version, p.OccurredOn, e.Timestamp, p.RecordedBy, p.From, p.To, p.Reason, p.Evidence.Select(ToLink).ToList()),
        TargetDateSet t => new Contracts.PledgeTargetDateSet(
            e.Id, t.PledgeId, e.Version, t.OccurredOn, e.Timestamp, t.RecordedBy, t.Previous, t.TargetDate, t.Reason),
        PledgeDetailsRevised d => new Contracts.PledgeDetailsRevised(
            e.Id, d.PledgeId, e.Version, d.OccurredOn, e.Timestamp, d.RecordedBy, d.Title, d.Quote, d.Actor, d.Theme, d.Reason),
        MilestoneCorrected c => new Contracts.MilestoneCorrected(
            e.Id, c.PledgeId, e.Version, c.OccurredOn, e.Timestamp, c.RecordedBy, c.MilestoneId, c.Title, c.Description, c.Reason,
            c.Evidence.Select(ToLink).ToList()),
        // A retraction has no date of its own; the recorded day stands in (consumers sort by RecordedAt).
        MilestoneRetracted r => new Contracts.MilestoneRetracted(
            e.Id, r.PledgeId, e.Version, e.Timestamp.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            e.Timestamp, r.RecordedBy, r.MilestoneId, r.Reason),
        EvidenceAttached a => new Contracts.PledgeEvidenceAttached(
            e.Id, a.PledgeId, e.Version, a.OccurredOn, e.Timestamp, a.RecordedBy, a.MilestoneId, a.Evidence.Select(ToLink).ToList()),
        PledgeBecameOverdue o => new Contracts.PledgeBecameOverdue(
            e.Id, o.PledgeId, e.Version, o.OccurredOn, e.Timestamp, o.RecordedBy, o.TargetDate),
        TranslationAdded t => new Contracts.PledgeTranslationAdded(
            e.Id, t.PledgeId, e.Version, t.OccurredOn, e.Timestamp, t.RecordedBy, t.Target(), t.Language, t.Text, t.Original,
            t.Translator, t.Kind),
        ReplyRequested q => new Contracts.PledgeReplyRequested(
            e.Id, q.PledgeId, e.Version, q.OccurredOn, e.Timestamp, q.RecordedBy, q.RequestId, q.To, q.By, q.Verdict.ToString()),
        ReplyRecorded r => new Contracts.PledgeReplyRecorded(
            e.Id, r.PledgeId, e.Version, r.OccurredOn, e.Timestamp, r.RecordedBy, r.RequestId, r.OnBehalfOf, r.Text),
        VerifiabilityAssessed a => new Contracts.PledgeVerifiabilityAssessed(
            e.Id, a.PledgeId, e.Version, a.OccurredOn, e.Timestamp, a.RecordedBy, a.From?.ToString(), a.To.ToString(), a.Reason),
        // A proposal goes out as its own type: only staff subscribed to proposal.opened hear of it, and no status alert.
        StatusProposed p => new Contracts.PledgeStatusProposed(
            e.Id, p.PledgeId, e.Version, p.OccurredOn, e.Timestamp, p.RecordedBy, p.ProposalId, p.Assessment.From.ToString(),
            p.Assessment.To.ToString(), p.Assessment.Reason, p.Assessment.Evidence.Select(ToLink).ToList()),
        _ => null,
    };

    private static Contracts.EvidenceLink ToLink(Evidence e) => new(e.Title, e.Url, e.PublishedOn);
}
