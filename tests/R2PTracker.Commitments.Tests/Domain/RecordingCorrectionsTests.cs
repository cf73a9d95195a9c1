using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AssessingProgress;
using R2PTracker.Commitments.Pledges.AttachingEvidence;
using R2PTracker.Commitments.Pledges.BecomingOverdue;
using R2PTracker.Commitments.Pledges.CorrectingMilestone;
using R2PTracker.Commitments.Pledges.RetractingMilestone;
using R2PTracker.Commitments.Pledges.RevisingDetails;
using R2PTracker.Commitments.Pledges.SettingTargetDate;
using Shouldly;
using static R2PTracker.Commitments.Tests.Domain.PledgeSpecification;

namespace R2PTracker.Commitments.Tests.Domain;

public class RecordingCorrectionsTests
{
    private static AssessProgress Progress(int to, string reason = "Half the provinces trained", string occurredOn = "2023-09-16") =>
        new("kh-r2p-1", to, reason, SomeEvidence, PartialDate.Parse(occurredOn), "alice");

    [Fact]
    public void Assessing_progress_records_from_and_to()
    {
        var e = AssessProgressSlice.Decide(Progress(40), Given(Registered()), Today);
        (e.From, e.To, e.RecordedBy).ShouldBe((0, 40, "alice"));
        Given(Registered(), e).Progress.ShouldBe(40);
    }

    [Fact]
    public void Progress_below_100_on_a_kept_pledge_is_refused()
    {
        var kept = Given(Registered(), new StatusAssessed("kh-r2p-1", PledgeStatus.NotYetRated, PledgeStatus.Kept, "done", SomeEvidence, "2016", "bob"));
        kept.Progress.ShouldBe(100);
        Should.Throw<PledgeRuleViolation>(() => AssessProgressSlice.Decide(Progress(60), kept, Today)).Field.ShouldBe("progress");
    }

    [Fact]
    public void Progress_without_reason_or_evidence_or_in_the_future_is_refused()
    {
        var pledge = Given(Registered());
        Should.Throw<PledgeRuleViolation>(() => AssessProgressSlice.Decide(Progress(40, reason: " "), pledge, Today)).Field.ShouldBe("reason");
        Should.Throw<PledgeRuleViolation>(() => AssessProgressSlice.Decide(Progress(40) with { Evidence = [] }, pledge, Today)).Field.ShouldBe("evidence");
        Should.Throw<PledgeRuleViolation>(() => AssessProgressSlice.Decide(Progress(40, occurredOn: "2026-12"), pledge, Today)).Field.ShouldBe("occurredOn");
        Should.Throw<PledgeRuleViolation>(() => AssessProgressSlice.Decide(Progress(40, occurredOn: "2014"), pledge, Today)).Field.ShouldBe("occurredOn");
    }

    [Fact]
    public void Correcting_a_milestone_keeps_unchanged_fields_and_records_the_reason()
    {
        var pledge = Given(Registered(), Logged());
        var command = new CorrectMilestone("kh-r2p-1", "ms-1", null, null, PartialDate.Parse("2019-11"), null, "Date misread", "alice");
        var e = CorrectMilestoneSlice.Decide(command, pledge, SomeEvidence, Today);
        (e.Title, e.OccurredOn, e.Reason).ShouldBe(("Outreach", "2019-11", "Date misread"));
        Given(Registered(), Logged(), e).Milestone("ms-1")!.OccurredOn.ShouldBe("2019-11");
    }

    [Fact]
    public void A_retracted_milestone_cannot_be_corrected_or_retracted_again()
    {
        var pledge = Given(Registered(), Logged(), new MilestoneRetracted("kh-r2p-1", "ms-1", "Wrong pledge", "bob"));
        pledge.MilestoneCount.ShouldBe(0);
        var command = new CorrectMilestone("kh-r2p-1", "ms-1", "New title", null, null, null, "typo", "alice");
        Should.Throw<PledgeRuleViolation>(() => CorrectMilestoneSlice.Decide(command, pledge, SomeEvidence, Today)).Field.ShouldBe("milestoneId");
        Should.Throw<PledgeRuleViolation>(() => RetractMilestoneSlice.Decide(new RetractMilestone("kh-r2p-1", "ms-1", "again", "alice"), pledge))
            .Field.ShouldBe("milestoneId");
    }

    [Fact]
    public void Correcting_an_unknown_milestone_is_not_found()
    {
        var command = new CorrectMilestone("kh-r2p-1", "ms-9", "t", null, null, null, "r", "alice");
        Should.Throw<MilestoneNotFound>(() => CorrectMilestoneSlice.Decide(command, Given(Registered()), [], Today));
    }

    [Fact]
    public void A_correction_that_changes_nothing_is_refused()
    {
        var command = new CorrectMilestone("kh-r2p-1", "ms-1", "Outreach", null, null, null, "r", "alice");
        Should.Throw<PledgeRuleViolation>(() => CorrectMilestoneSlice.Decide(command, Given(Registered(), Logged()), SomeEvidence, Today)).Field.ShouldBe("body");
    }

    [Fact]
    public void Evidence_can_be_attached_to_the_pledge_or_to_a_milestone_that_stands()
    {
        var pledge = Given(Registered(), Logged());
        var e = AttachEvidenceSlice.Decide(new AttachEvidence("kh-r2p-1", "ms-1", SomeEvidence, PartialDate.Parse("2020"), "alice"), pledge, Today);
        Given(Registered(), Logged(), e).Milestone("ms-1")!.EvidenceCount.ShouldBe(2);
        Should.Throw<PledgeRuleViolation>(() => AttachEvidenceSlice.Decide(new AttachEvidence("kh-r2p-1", "ms-9", SomeEvidence, PartialDate.Parse("2020"), "alice"), pledge, Today))
            .Field.ShouldBe("milestoneId");
    }

    [Fact]
    public void Setting_a_target_date_before_the_pledge_was_made_is_refused_and_a_new_one_clears_overdue()
    {
        var pledge = Given(Registered(targetDate: "2015-08-31"), new PledgeBecameOverdue("kh-r2p-1", "2015-08-31", "2015-09-01", BecomeOverdue.Monitor));
        pledge.Overdue.ShouldBeTrue();
        Should.Throw<PledgeRuleViolation>(() => SetTargetDateSlice.Decide(new SetTargetDate("kh-r2p-1", PartialDate.Parse("2014"), null, "r", PartialDate.Parse("2020"), "a"), pledge, Today))
            .Field.ShouldBe("targetDate");
        var e = SetTargetDateSlice.Decide(new SetTargetDate("kh-r2p-1", PartialDate.Parse("2027"), null, "Extended", PartialDate.Parse("2020"), "a"), pledge, Today);
        e.Previous.ShouldBe("2015-08-31");
        Given(Registered(targetDate: "2015-08-31"), e).Overdue.ShouldBeFalse();
    }

    [Fact]
    public void Revising_details_records_only_what_changes()
    {
        var e = ReviseDetailsSlice.Decide(new ReviseDetails("kh-r2p-1", "A pledge", null, "Government", null, "Source says Government", PartialDate.Parse("2020"), "a"),
            Given(Registered()), Today);
        (e.Title, e.Actor).ShouldBe((null, "Government"));
        Should.Throw<PledgeRuleViolation>(() => ReviseDetailsSlice.Decide(new ReviseDetails("kh-r2p-1", "A pledge", null, null, null, "r", PartialDate.Parse("2020"), "a"), Given(Registered()), Today))
            .Field.ShouldBe("body");
    }

    [Fact]
    public void A_pledge_becomes_overdue_once_the_day_after_its_target_date_unless_settled()
    {
        var pledge = Given(Registered(targetDate: "2015-08"));
        var e = BecomeOverdue.Decide(pledge, Today)!;
        (e.OccurredOn, e.TargetDate).ShouldBe(("2015-09-01", "2015-08"));
        BecomeOverdue.Decide(Given(Registered(targetDate: "2015-08"), e), Today).ShouldBeNull();
        BecomeOverdue.Decide(pledge, new DateOnly(2015, 8, 31)).ShouldBeNull();
        BecomeOverdue.Decide(Given(Registered()), Today).ShouldBeNull();
        var broken = Given(Registered(targetDate: "2015-08"), new StatusAssessed("kh-r2p-1", PledgeStatus.NotYetRated, PledgeStatus.Broken, "r", SomeEvidence, "2016", "b"));
        BecomeOverdue.Decide(broken, Today).ShouldBeNull();
    }
}
