namespace R2PTracker.Notifications.Pledges;

/// <summary>
/// What notifications knows of a pledge, fed by PledgeRegistered integration events, so that
/// subscriptions can filter by country and actor without asking commitments.
/// </summary>
public sealed record PledgeProfile
{
    public required string Id { get; init; }
    public required string Actor { get; init; }
    public required string Country { get; init; }
    public required string Title { get; init; }
}
