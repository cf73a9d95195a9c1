using MassTransit;
using Microsoft.AspNetCore.OutputCaching;
using R2PTracker.Contracts;

namespace R2PTracker.Gateway.Caching;

/// <summary>
/// The log took some pledges' events a moment after they were announced as changes: evicts what shows their
/// log indices (each pledge's pages) and what carries the checkpoint (exports and feeds, under the lists' tag).
/// </summary>
public sealed class LogCheckpointedConsumer(IOutputCacheStore cache) : IConsumer<LogCheckpointed>
{
    public const int MaxPledgesEvicted = 1000;

    public async Task Consume(ConsumeContext<LogCheckpointed> context)
    {
        var ct = context.CancellationToken;
        var pledges = context.Message.PledgeIds ?? [];
        // A page of a bulk import names many pledges: past a point, evicting every cached read is cheaper.
        if (pledges.Count > MaxPledgesEvicted)
        {
            await cache.EvictByTagAsync(CachePolicies.AllTag, ct);
            return;
        }
        await cache.EvictByTagAsync(CachePolicies.ListsTag, ct);
        foreach (var id in pledges.Distinct()) await cache.EvictByTagAsync(CachePolicies.PledgeTag(id), ct);
    }
}
