using Marten;
using JasperFx;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// Sends an integration event to every matching subscription, recording one delivery per
/// (event, subscription) claimed before sending. Deliveries already made are skipped, so a redelivered message or a
/// retried consumer does not alert anyone twice. If any delivery still fails after the HTTP
/// retries, the consumer fails and MassTransit retries the rest.
/// </summary>
public sealed class FanOut(IDocumentStore store, WebhookSender sender, TimeProvider clock, ILogger<FanOut> logger)
{
    public async Task DeliverAsync(IPledgeIntegrationEvent e, CancellationToken ct)
    {
        var payload = WebhookPayload.From(e);
        IReadOnlyList<Subscription> subscriptions;
        await using (var query = store.QuerySession())
        {
            subscriptions = (await query.Query<Subscription>().ToListAsync(ct)).Where(s => s.Matches(e.PledgeId)).ToList();
        }
        if (subscriptions.Count == 0) return;

        var failures = 0;
        await Parallel.ForEachAsync(subscriptions,
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (subscription, token) =>
            {
                if (!await ClaimAsync(e.EventId, subscription.Id, payload.Type, token)) return;
                var delivery = await SendOneAsync(subscription, e.EventId, payload, token);
                if (delivery.Status != "delivered") Interlocked.Increment(ref failures);
                await using var session = store.LightweightSession();
                session.Store(delivery);
                await session.SaveChangesAsync(token);
            });

        if (failures > 0)
            throw new WebhookDeliveryFailedException($"{failures} webhook delivery(ies) of event {e.EventId} failed.");
    }

    /// <summary>
    /// Inserts the delivery record before sending, so that of two copies of one message only
    /// one sends. A failed delivery, or one left pending by a crash, may be taken over.
    /// </summary>
    private async Task<bool> ClaimAsync(Guid eventId, Guid subscriptionId, string type, CancellationToken ct)
    {
        var id = WebhookDelivery.IdFor(eventId, subscriptionId);
        await using var session = store.LightweightSession();
        session.Insert(new WebhookDelivery
        {
            Id = id, EventId = eventId, SubscriptionId = subscriptionId, Type = type, Status = "pending", At = clock.GetUtcNow(),
        });
        try
        {
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (DocumentAlreadyExistsException)
        {
            await using var query = store.QuerySession();
            var existing = await query.LoadAsync<WebhookDelivery>(id, ct);
            return existing is { Status: "failed" }
                   || (existing is { Status: "pending" } && clock.GetUtcNow() - existing.At > StalePending);
        }
    }

    private static readonly TimeSpan StalePending = TimeSpan.FromMinutes(2);

    private async Task<WebhookDelivery> SendOneAsync(Subscription subscription, Guid eventId, WebhookPayload payload, CancellationToken ct)
    {
        var id = WebhookDelivery.IdFor(eventId, subscription.Id);
        try
        {
            using var response = await sender.SendAsync(subscription, eventId, payload, ct);
            var ok = response.IsSuccessStatusCode;
            if (!ok) logger.LogWarning("Webhook {DeliveryId} to subscription {SubscriptionId} answered {Status}", id, subscription.Id, (int)response.StatusCode);
            return new WebhookDelivery
            {
                Id = id, EventId = eventId, SubscriptionId = subscription.Id, Type = payload.Type,
                Status = ok ? "delivered" : "failed", ResponseStatus = (int)response.StatusCode, At = clock.GetUtcNow(),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Webhook {DeliveryId} to subscription {SubscriptionId} failed: {Error}", id, subscription.Id, ex.Message);
            return new WebhookDelivery
            {
                Id = id, EventId = eventId, SubscriptionId = subscription.Id, Type = payload.Type,
                Status = "failed", Error = ex.Message, At = clock.GetUtcNow(),
            };
        }
    }
}

public sealed class WebhookDeliveryFailedException(string message) : Exception(message);
