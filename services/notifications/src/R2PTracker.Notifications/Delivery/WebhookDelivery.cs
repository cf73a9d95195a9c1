namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// One delivery of one event to one subscription. Its id is "{event id}:{subscription id}", so a
/// redelivered message finds it and does not send a second time.
/// </summary>
public sealed record WebhookDelivery
{
    public required string Id { get; init; }
    public Guid EventId { get; init; }
    public Guid SubscriptionId { get; init; }
    public required string Type { get; init; }
    public required string Status { get; init; } // delivered | failed
    public int? ResponseStatus { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset At { get; init; }

    public static string IdFor(Guid eventId, Guid subscriptionId) => $"{eventId:N}:{subscriptionId:N}";
}
