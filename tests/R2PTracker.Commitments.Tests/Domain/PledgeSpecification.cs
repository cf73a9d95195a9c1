using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Tests.Domain;

/// <summary>Given events / when a decision / then events or an error; no database.</summary>
public static class PledgeSpecification
{
    public static readonly DateOnly Today = new(2026, 11, 27);

    public static PledgeRegistered Registered(string id = "kh-r2p-1", string madeOn = "2015-02", string? targetDate = null) =>
        new(id, "A pledge", "The quote", "Prime Minister", "KH", madeOn, null, targetDate, null, null,
            new SourceCitation("Cambodia can lead on R2P", "Phnom Penh Post", null, null, null), "seed");

    public static Pledge Given(PledgeRegistered registered, params object[] events)
    {
        var pledge = Pledge.Create(registered);
        foreach (var e in events) pledge = pledge.Then(e);
        return pledge;
    }

    public static MilestoneLogged Logged(string milestoneId = "ms-1", string occurredOn = "2019-12") =>
        new("kh-r2p-1", milestoneId, "Outreach", "University students", occurredOn, SomeEvidence, "seed");

    public static IReadOnlyList<Evidence> SomeEvidence => [new Evidence("CICP report", "https://cicp.org.kh/r2p", "2023-09")];
}
