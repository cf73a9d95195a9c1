using System.Diagnostics.Metrics;
using R2PTracker.Gateway.Live;

namespace R2PTracker.Gateway.Telemetry;

/// <summary>
/// The gateway's own metrics: how often a public read is answered from the output cache, and how
/// many live (Server-Sent Events) streams are open. (Its traces are ASP.NET Core's and HttpClient's
/// spans: YARP forwards each request with the trace context in a traceparent header.)
/// </summary>
public sealed class GatewayTelemetry
{
    public const string Name = ServiceDefaults.Telemetry.Prefix + "Gateway";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;

    public GatewayTelemetry(IMeterFactory meters, LiveConnections live)
    {
        var meter = meters.Create(Name);
        _hits = meter.CreateCounter<long>("r2p.gateway.cache.hits", "{request}", "Public reads answered from the output cache.");
        _misses = meter.CreateCounter<long>("r2p.gateway.cache.misses", "{request}", "Cacheable public reads that had to be answered by a backend.");
        meter.CreateObservableUpDownCounter("r2p.gateway.live.clients", () => live.Total, "{connection}", "Open live-update (Server-Sent Events) streams.");
    }

    public void CacheHit() => _hits.Add(1);

    public void CacheMiss() => _misses.Add(1);
}
