using MassTransit;
using Microsoft.AspNetCore.OutputCaching;
using R2PTracker.Contracts;
using R2PTracker.Gateway.Live;

namespace R2PTracker.Gateway.Caching;

/// <summary>
/// Every pledge integration event (consumed through the interface, so new event types count
/// too) evicts the cached public reads and is pushed to live dashboards. Each gateway
/// instance has a queue of its own, so every instance hears every change.
/// </summary>
public sealed class PledgeChangesConsumer(IOutputCacheStore cache, LiveHub live, ILogger<PledgeChangesConsumer> logger)
    : IConsumer<IPledgeIntegrationEvent>
{
    public async Task Consume(ConsumeContext<IPledgeIntegrationEvent> context)
    {
        var e = context.Message;
        await CachePolicies.EvictAsync(cache, e.PledgeId, context.CancellationToken);
        var type = context.SupportedMessageTypes.Select(t => t.Split(':').Last()).FirstOrDefault(t => t != nameof(IPledgeIntegrationEvent)) ?? "PledgeChanged";
        var status = e is PledgeStatusChanged s ? s.Status : null;
        live.Publish(type, e.PledgeId, e.StreamVersion, status, e.RecordedAt);
        logger.LogDebug("Pledge {PledgeId} changed ({Type}); cache evicted", e.PledgeId, type);
    }
}
