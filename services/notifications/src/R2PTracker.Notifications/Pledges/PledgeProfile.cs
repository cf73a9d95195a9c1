using R2PTracker.Contracts;

namespace R2PTracker.Notifications.Pledges;

/// <summary>
/// What notifications knows of a pledge, so that subscriptions can filter by country and actor
/// without asking commitments: fed by PledgeRegistered and kept current by PledgeDetailsRevised.
/// Events of one pledge can arrive out of order (each type has its own queue), so each change says
/// which stream version it reflects and an older one never overwrites a newer one.
/// </summary>
public sealed record PledgeProfile
{
    public required string Id { get; init; }
    public required string Actor { get; init; }
    /// <summary>ISO 3166-1 alpha-2, as commitments records it.</summary>
    public required string Country { get; init; }
    public required string Title { get; init; }
    /// <summary>The stream version of the latest event applied.</summary>
    public long Version { get; init; }

    public static PledgeProfile Create(PledgeRegistered e) =>
        new() { Id = e.PledgeId, Actor = e.Actor, Country = e.Country, Title = e.Title, Version = e.StreamVersion };

    /// <summary>The profile after a revision; a revision at or below the profile's version changes nothing.</summary>
    public PledgeProfile Apply(PledgeDetailsRevised e) => e.StreamVersion <= Version
        ? this
        : this with { Actor = e.Actor ?? Actor, Title = e.Title ?? Title, Version = e.StreamVersion };
}
