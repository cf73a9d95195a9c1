using System.Diagnostics;
using System.Diagnostics.Metrics;
using Marten;
using Marten.Services;

namespace R2PTracker.Commitments.Telemetry;

/// <summary>
/// The spans and metrics of commitments. A write's trace context is stored with each event it appends
/// (the event's "traceparent" header, see Recording/EventChain), so the forwarder, which publishes
/// the event later and maybe from another instance, continues the same trace.
/// </summary>
public sealed class CommitmentsTelemetry
{
    public const string Name = ServiceDefaults.Telemetry.Prefix + "Commitments";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _appended;
    private readonly Counter<long> _forwarded;
    private readonly Histogram<double> _forwardingLag;

    public CommitmentsTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _appended = meter.CreateCounter<long>("r2p.commitments.events.appended", "{event}", "Events appended to pledge streams (committed).");
        _forwarded = meter.CreateCounter<long>("r2p.commitments.events.forwarded", "{event}", "Events published to RabbitMQ and confirmed by it.");
        _forwardingLag = meter.CreateHistogram<double>("r2p.commitments.forwarding.lag", "s",
            "From an event's recording to the broker's confirm of its integration event.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
    }

    public void Appended(string eventType) => _appended.Add(1, new KeyValuePair<string, object?>("type", eventType));

    public void Forwarded(DateTimeOffset recordedAt, DateTimeOffset confirmedAt)
    {
        _forwarded.Add(1);
        _forwardingLag.Record(Math.Max(0, (confirmedAt - recordedAt).TotalSeconds));
    }
}

/// <summary>Counts the events of every committed session: the API's writes, the overdue monitor's, the seed's and imports.</summary>
public sealed class AppendCounter(CommitmentsTelemetry telemetry) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var e in commit.GetEvents()) telemetry.Appended(e.EventTypeName);
        return Task.CompletedTask;
    }
}

public static class CommitmentsTelemetryConfiguration
{
    public static IServiceCollection AddCommitmentsTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<CommitmentsTelemetry>();
        services.AddSingleton<AppendCounter>();
        services.ConfigureMarten((sp, options) => options.Listeners.Add(sp.GetRequiredService<AppendCounter>()));
        return services;
    }
}
