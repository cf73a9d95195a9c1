using Marten;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// Sends an integration event to every matching subscription, recording one delivery per
/// (event, subscription). Deliveries already made are skipped, so a redelivered message or a
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

        HashSet<string> done;
        await using (var query = store.QuerySession())
        {
            var ids = subscriptions.Select(s => WebhookDelivery.IdFor(e.EventId, s.Id)).ToArray();
            var existing = await query.LoadManyAsync<WebhookDelivery>(ct, ids);
            done = existing.Where(d => d.Status == "delivered").Select(d => d.Id).ToHashSet();
        }

        var failures = 0;
        await Parallel.ForEachAsync(subscriptions.Where(s => !done.Contains(WebhookDelivery.IdFor(e.EventId, s.Id))),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (subscription, token) =>
            {
                var delivery = await SendOneAsync(subscription, e.EventId, payload, token);
                if (delivery.Status != "delivered") Interlocked.Increment(ref failures);
                await using var session = store.LightweightSession();
                session.Store(delivery);
                await session.SaveChangesAsync(token);
            });

        if (failures > 0)
            throw new WebhookDeliveryFailedException($"{failures} webhook delivery(ies) of event {e.EventId} failed.");
    }

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
