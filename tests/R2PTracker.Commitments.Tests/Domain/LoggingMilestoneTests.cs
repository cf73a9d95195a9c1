using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.LoggingMilestone;
using Shouldly;
using static R2PTracker.Commitments.Tests.Domain.PledgeSpecification;

namespace R2PTracker.Commitments.Tests.Domain;

public class LoggingMilestoneTests
{
    private static LogMilestone Command(string occurredOn) =>
        new("kh-r2p-4", "ms-1", "Training at Svay Rieng University", "About 50 participants", PartialDate.Parse(occurredOn), SomeEvidence, "alice");

    [Fact]
    public void Logging_a_milestone_keeps_the_precision_of_its_date()
    {
        var e = LogMilestoneSlice.Decide(Command("2019-12"), Given(Registered("kh-r2p-4")), Today);
        e.OccurredOn.ShouldBe("2019-12");
        e.MilestoneId.ShouldBe("ms-1");
        e.RecordedBy.ShouldBe("alice");
    }

    [Fact]
    public void A_logged_milestone_is_counted_on_the_pledge()
    {
        var pledge = Given(Registered("kh-r2p-4"));
        pledge.Apply(LogMilestoneSlice.Decide(Command("2023-09-16"), pledge, Today)).MilestoneCount.ShouldBe(1);
    }

    [Fact]
    public void A_milestone_dated_in_the_future_is_refused() =>
        Should.Throw<PledgeRuleViolation>(() => LogMilestoneSlice.Decide(Command("2026-11-28"), Given(Registered("kh-r2p-4")), Today));

    [Fact]
    public void A_milestone_dated_before_the_pledge_is_refused() =>
        Should.Throw<PledgeRuleViolation>(() => LogMilestoneSlice.Decide(Command("2014"), Given(Registered("kh-r2p-4")), Today));
}
