using System.Diagnostics;
using System.Diagnostics.Metrics;
using R2PTracker.Notifications.Delivery;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Notifications.Telemetry;

/// <summary>
/// The spans and metrics of notifications. The fan-out stores the trace context of the message it
/// records deliveries for with each delivery, so each attempt the dispatcher makes later continues
/// that trace, and the webhook request (HttpClient's instrumentation) or the mail (a traceparent
/// header) carries it on.
/// </summary>
public sealed class NotificationsTelemetry
{
    public const string Name = ServiceDefaults.Telemetry.Prefix + "Notifications";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _attempts;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deadLetters;

    public NotificationsTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _attempts = meter.CreateCounter<long>("r2p.notifications.deliveries", "{attempt}",
            "Delivery attempts by kind (webhook, email) and outcome (delivered, failed, not_tried, dead, cancelled).");
        _retries = meter.CreateCounter<long>("r2p.notifications.delivery.retries", "{attempt}", "Attempts after a delivery's first.");
        _deadLetters = meter.CreateCounter<long>("r2p.notifications.dead_letters", "{delivery}",
            "Deliveries given up on: every attempt failed, or the subscription was disabled.");
    }

    /// <summary>A span for one attempt at a delivery, in the trace of the change it announces.</summary>
    public static Activity? StartAttempt(Delivery.Delivery delivery)
    {
        var span = Source.StartContinuing("deliver " + delivery.Kind, ActivityKind.Internal, delivery.TraceParent);
        span?.SetTag("r2p.delivery.id", delivery.Id);
        span?.SetTag("r2p.delivery.attempt", delivery.Attempts.Count + 1);
        return span;
    }

    /// <summary>Counts an attempt whose outcome is <paramref name="updated"/> (the delivery as it will be saved).</summary>
    public void Attempted(Delivery.Delivery before, Delivery.Delivery updated, bool? succeeded, bool circuitOpen)
    {
        var outcome = succeeded == true ? "delivered"
            : updated.Status == DeliveryStatuses.Dead ? "dead"
            : updated.Status == DeliveryStatuses.Cancelled ? "cancelled"
            : circuitOpen ? "not_tried"
            : "failed";
        _attempts.Add(1, new KeyValuePair<string, object?>("kind", before.Kind), new KeyValuePair<string, object?>("outcome", outcome));
        if (succeeded is not null && before.Attempts.Count > 0) _retries.Add(1, new KeyValuePair<string, object?>("kind", before.Kind));
        if (updated.Status == DeliveryStatuses.Dead && before.Status != DeliveryStatuses.Dead)
            _deadLetters.Add(1, new KeyValuePair<string, object?>("kind", before.Kind));
    }
}
