namespace R2PTracker.Notifications.Subscriptions;

/// <summary>A subscriber's standing request for alerts, stored as a Marten document.</summary>
public sealed record Subscription
{
    public Guid Id { get; init; }
    public required string Kind { get; init; }
    public required string Url { get; init; }
    public IReadOnlyList<string>? PledgeIds { get; init; }
    public required string Secret { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public bool Matches(string pledgeId) => PledgeIds is not { Count: > 0 } ids || ids.Contains(pledgeId);
}
