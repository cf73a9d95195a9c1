namespace R2PTracker.Notifications.Delivery;

public static class DeliveryStatuses
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    /// <summary>Every attempt failed, or the subscription was disabled: nothing more will be tried.</summary>
    public const string Dead = "dead";
    /// <summary>The subscription was deleted or unsubscribed before the delivery could be made.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>One attempt to deliver: when, how long, and what the other end said.</summary>
public sealed record DeliveryAttempt(int Number, DateTimeOffset At, long DurationMs, int? StatusCode, string? Error);

/// <summary>
/// One alert (or confirmation mail) for one subscription. Its id is "{event id}:{subscription id}", so
/// a redelivered message never creates a second one. Pending deliveries are durable: the dispatcher
/// sends them, so a restart of notifications loses nothing.
/// </summary>
public sealed record Delivery
{
    public required string Id { get; init; }
    /// <summary>The Marten event id of the alert, sent as webhook-id (the receiver de-duplicates by it).</summary>
    public Guid EventId { get; init; }
    public Guid SubscriptionId { get; init; }
    public required string Kind { get; init; }
    public required string Type { get; init; }
    public string? PledgeId { get; init; }
    /// <summary>The exact JSON body ({type, timestamp, data}); every attempt sends the same bytes.</summary>
    public required string Payload { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public string? DeadReason { get; init; }
    public IReadOnlyList<DeliveryAttempt> Attempts { get; init; } = [];
    /// <summary>The W3C trace context of the change this delivery announces (while tracing is on), continued by each attempt.</summary>
    public string? TraceParent { get; init; }

    public static string IdFor(Guid eventId, Guid subscriptionId) => $"{eventId:N}:{subscriptionId:N}";
}

/// <summary>Marks an integration event as fanned out; stored in the same transaction as its deliveries.</summary>
public sealed record FannedOutEvent
{
    public Guid Id { get; init; }
    public required string Type { get; init; }
    public int Deliveries { get; init; }
    public DateTimeOffset At { get; init; }
}
