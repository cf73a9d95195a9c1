using JasperFx;
using Marten;
using Weasel.Core;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Pledges;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;
using R2PTracker.Notifications.Telemetry;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// Records one pending delivery per matching subscription for an integration event, and a marker for
/// the event: a few deliveries in the marker's transaction; many by a bulk insert that skips existing
/// ones, then the marker. A redelivered message finds the marker and records nothing; a crash before
/// the marker leaves the message unacknowledged, and its redelivery completes the set without
/// duplicating anything. Sending is the dispatcher's job.
/// </summary>
public sealed class FanOut(IDocumentStore store, ActiveSubscriptions activeSubscriptions, DeliveryDispatcher dispatcher, TimeProvider clock, ILogger<FanOut> logger)
{
    /// <summary>Up to this many deliveries are inserted with the marker in one transaction; more are copied in bulk.</summary>
    public const int SingleTransactionLimit = 100;

    /// <param name="waitForRegistration">
    /// If the pledge's registration has not been seen and a country or actor filter needs it, throw so
    /// the consumer retries (registration and later events travel on different queues). On the last
    /// retry pass false: those filters then do not match, rather than the alert being lost for all.
    /// </param>
    public async Task RecordAsync(IPledgeIntegrationEvent e, bool waitForRegistration, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<FannedOutEvent>(e.EventId, ct) is not null) return;

        var subscriptions = await activeSubscriptions.GetAsync(ct);
        // Always read: the payload names the pledge by its titles (the filters below may need it too).
        var profile = await session.LoadAsync<PledgeProfile>(e.PledgeId, ct);
        if (profile is null && subscriptions.Any(s => s.Filter.NeedsPledgeProfile))
        {
            if (waitForRegistration) throw new PledgeNotKnownYetException(e.PledgeId);
            logger.LogWarning("Pledge {PledgeId} is unknown: country and actor filters do not match event {EventId}", e.PledgeId, e.EventId);
        }
        var payload = WebhookPayload.From(e, profile?.Titles());

        var now = clock.GetUtcNow();
        var json = payload.ToJson();
        // The consume span's context (MassTransit continues the trace of the change from the message's headers).
        var traceParent = NotificationsTelemetry.Source.CurrentTraceParent();
        var deliveries = subscriptions.Where(s => s.Covers(e) && s.Filter.Matches(e, payload.Type, profile)).Select(subscription => new Delivery
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
            TraceParent = traceParent,
        }).ToList();
        var marker = new FannedOutEvent { Id = e.EventId, Type = payload.Type, Deliveries = deliveries.Count, At = now };
        void LogRecorded() => logger.LogInformation("Event {EventId} ({Type}) recorded for {Count} subscription(s)", e.EventId, payload.Type, deliveries.Count);
        if (deliveries.Count <= SingleTransactionLimit)
        {
            // The usual few deliveries and the marker in one transaction: one round trip, all or
            // nothing. If any exists already (a copy of this message got there first, or an
            // interrupted bulk insert below left some), the insert-what-is-missing path takes over.
            session.Insert(deliveries.ToArray());
            session.Insert(marker);
            try
            {
                await session.SaveChangesAsync(ct);
                if (deliveries.Count > 0) dispatcher.WakeUp();
                LogRecorded();
                return;
            }
            catch (DocumentAlreadyExistsException)
            {
                // Nothing was written: on to the bulk path.
            }
        }
        // COPY, skipping deliveries that exist (a copy of this message got there first, or this one
        // was interrupted after the insert): thousands of rows in well under a second, idempotent.
        if (deliveries.Count > 0)
        {
            await store.BulkInsertAsync(deliveries, BulkInsertMode.IgnoreDuplicates, cancellation: ct);
            dispatcher.WakeUp();
        }
        // The marker comes last: if the process dies before it, the redelivered message inserts
        // whatever is missing and nothing twice.
        await using var markerSession = store.LightweightSession();
        markerSession.Insert(marker);
        try
        {
            await markerSession.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            return;
        }
        LogRecorded();
    }
}

public sealed class PledgeNotKnownYetException(string pledgeId)
    : Exception($"Pledge {pledgeId} has not been registered with notifications yet.");
