using JasperFx;
using Marten;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Pledges;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// Records one pending delivery per matching subscription for an integration event, together with a
/// marker for the event, in one transaction. A redelivered message finds the marker and records
/// nothing; a crash before the commit records nothing, and the message is redelivered. Sending is
/// the dispatcher's job.
/// </summary>
public sealed class FanOut(IDocumentStore store, DeliveryDispatcher dispatcher, TimeProvider clock, ILogger<FanOut> logger)
{
    /// <param name="waitForRegistration">
    /// If the pledge's registration has not been seen and a country or actor filter needs it, throw so
    /// the consumer retries (registration and later events travel on different queues). On the last
    /// retry pass false: those filters then do not match, rather than the alert being lost for all.
    /// </param>
    public async Task RecordAsync(IPledgeIntegrationEvent e, bool waitForRegistration, CancellationToken ct)
    {
        var payload = WebhookPayload.From(e);
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<FannedOutEvent>(e.EventId, ct) is not null) return;

        var subscriptions = await session.Query<Subscription>()
            .Where(s => s.Status == SubscriptionStatuses.Active).ToListAsync(ct);
        PledgeProfile? profile = null;
        if (subscriptions.Any(s => s.Filter.NeedsPledgeProfile))
        {
            profile = await session.LoadAsync<PledgeProfile>(e.PledgeId, ct);
            if (profile is null && waitForRegistration) throw new PledgeNotKnownYetException(e.PledgeId);
            if (profile is null) logger.LogWarning("Pledge {PledgeId} is unknown: country and actor filters do not match event {EventId}", e.PledgeId, e.EventId);
        }

        var now = clock.GetUtcNow();
        var json = payload.ToJson();
        var matching = subscriptions.Where(s => s.Filter.Matches(e, payload.Type, profile)).ToList();
        foreach (var subscription in matching)
        {
            session.Insert(new Delivery
            {
                Id = Delivery.IdFor(e.EventId, subscription.Id),
                EventId = e.EventId,
                SubscriptionId = subscription.Id,
                Kind = subscription.Kind,
                Type = payload.Type,
                PledgeId = e.PledgeId,
                Payload = json,
                Status = DeliveryStatuses.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }
        session.Insert(new FannedOutEvent { Id = e.EventId, Type = payload.Type, Deliveries = matching.Count, At = now });
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            // Another copy of the message got there first; it recorded the same deliveries.
            return;
        }
        logger.LogInformation("Event {EventId} ({Type}) recorded for {Count} subscription(s)", e.EventId, payload.Type, matching.Count);
        if (matching.Count > 0) dispatcher.WakeUp();
    }
}

public sealed class PledgeNotKnownYetException(string pledgeId)
    : Exception($"Pledge {pledgeId} has not been registered with notifications yet.");
