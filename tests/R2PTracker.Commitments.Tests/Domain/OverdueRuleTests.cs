using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.BecomingOverdue;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

public class OverdueRuleTests
{
    private static Pledge PastTarget(PledgeStatus status)
    {
        var pledge = Pledge.Create(new PledgeRegistered("p", "Title", "Quote", "Actor", "KH", "2015-02", null, "2015-08-31", null, null,
            new SourceCitation("Source", "Publisher", null, null, null), "alice"));
        return status == PledgeStatus.NotYetRated ? pledge
            : pledge.Then(new StatusAssessed("p", PledgeStatus.NotYetRated, status, "because", [new Evidence("Report", null, null)], "2015-06", "alice"));
    }

    [Theory]
    [InlineData(PledgeStatus.Kept)]
    [InlineData(PledgeStatus.Compromise)]
    [InlineData(PledgeStatus.Broken)]
    public void A_settled_pledge_never_becomes_overdue(PledgeStatus status) =>
        BecomeOverdue.Decide(PastTarget(status), new DateOnly(2026, 1, 1)).ShouldBeNull();

    [Theory]
    [InlineData(PledgeStatus.NotYetRated)]
    [InlineData(PledgeStatus.InTheWorks)]
    [InlineData(PledgeStatus.Stalled)]
    public void An_open_pledge_becomes_overdue_the_day_after_its_target(PledgeStatus status)
    {
        BecomeOverdue.Decide(PastTarget(status), new DateOnly(2015, 8, 31)).ShouldBeNull();
        BecomeOverdue.Decide(PastTarget(status), new DateOnly(2015, 9, 1))!.OccurredOn.ShouldBe("2015-09-01");
    }
}
