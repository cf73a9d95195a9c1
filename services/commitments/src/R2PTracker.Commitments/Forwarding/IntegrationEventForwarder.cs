using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using R2PTracker.Commitments.Pledges;
using Contracts = R2PTracker.Contracts;

namespace R2PTracker.Commitments.Forwarding;

/// <summary>
/// A Marten subscription, run by the async daemon (HotCold: one instance at a time holds it),
/// that publishes each domain event as an integration event. The message id is the Marten
/// event id, so a page re-delivered after a failover is de-duplicated downstream.
/// Publishing awaits RabbitMQ's confirm; if it fails the page fails and the checkpoint does
/// not advance, so nothing is skipped.
/// </summary>
public sealed class IntegrationEventForwarder : SubscriptionBase
{
    private readonly IBus _bus;

    public IntegrationEventForwarder(IBus bus)
    {
        _bus = bus;
        Name = "integration-event-forwarder";
        IncludeType<PledgeRegistered>();
        IncludeType<MilestoneLogged>();
        IncludeType<StatusAssessed>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        foreach (var e in page.Events)
        {
            if (ToIntegrationEvent(e) is not { } message) continue;
            await _bus.Publish(message, message.GetType(), ctx => ctx.MessageId = e.Id, ct);
        }
        return NullChangeListener.Instance;
    }

    public static Contracts.IPledgeIntegrationEvent? ToIntegrationEvent(IEvent e) => e.Data switch
    {
        PledgeRegistered r => new Contracts.PledgeRegistered(
            e.Id, r.PledgeId, e.Version, r.MadeOn, e.Timestamp, r.RecordedBy, r.Title, r.Actor, r.Country,
            nameof(PledgeStatus.NotYetRated)),
        StatusAssessed s => new Contracts.PledgeStatusChanged(
            e.Id, s.PledgeId, e.Version, s.OccurredOn, e.Timestamp, s.RecordedBy, s.From.ToString(), s.To.ToString(),
            s.Reason, s.Evidence.Select(ToLink).ToList()),
        MilestoneLogged m => new Contracts.MilestoneLogged(
            e.Id, m.PledgeId, e.Version, m.OccurredOn, e.Timestamp, m.RecordedBy, m.MilestoneId, m.Title,
            m.Description, m.Evidence.Select(ToLink).ToList()),
        _ => null,
    };

    private static Contracts.EvidenceLink ToLink(Evidence e) => new(e.Title, e.Url, e.PublishedOn);
}
