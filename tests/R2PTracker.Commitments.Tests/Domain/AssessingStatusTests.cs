using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AssessingStatus;
using Shouldly;
using static R2PTracker.Commitments.Tests.Domain.PledgeSpecification;

namespace R2PTracker.Commitments.Tests.Domain;

public class AssessingStatusTests
{
    private static AssessStatus Command(PledgeStatus to, string occurredOn = "2016", string reason = "Appointed in 2016") =>
        new("kh-r2p-1", to, reason, SomeEvidence, PartialDate.Parse(occurredOn), "alice");

    [Fact]
    public void Assessing_a_new_status_records_from_and_to_with_reason_evidence_and_actor()
    {
        var pledge = Given(Registered());

        var e = AssessStatusSlice.Decide(Command(PledgeStatus.Kept), pledge, Today);

        e.From.ShouldBe(PledgeStatus.NotYetRated);
        e.To.ShouldBe(PledgeStatus.Kept);
        e.Reason.ShouldBe("Appointed in 2016");
        e.Evidence.ShouldBe(SomeEvidence);
        e.RecordedBy.ShouldBe("alice");
        e.OccurredOn.ShouldBe("2016");
    }

    [Fact]
    public void Kept_sets_progress_to_100()
    {
        var pledge = Given(Registered());
        var e = AssessStatusSlice.Decide(Command(PledgeStatus.Kept), pledge, Today);
        pledge.Apply(e).Progress.ShouldBe(100);
    }

    [Fact]
    public void Assessing_the_status_the_pledge_already_has_is_refused()
    {
        var pledge = Given(Registered(), new StatusAssessed("kh-r2p-1", PledgeStatus.NotYetRated, PledgeStatus.Stalled, "r", SomeEvidence, "2020", "bob"));
        Should.Throw<PledgeRuleViolation>(() => AssessStatusSlice.Decide(Command(PledgeStatus.Stalled), pledge, Today))
            .Field.ShouldBe("status");
    }

    [Fact]
    public void A_status_change_in_the_future_is_refused()
    {
        var pledge = Given(Registered());
        Should.Throw<PledgeRuleViolation>(() => AssessStatusSlice.Decide(Command(PledgeStatus.Kept, "2027-01"), pledge, Today))
            .Field.ShouldBe("occurredOn");
    }

    [Fact]
    public void A_status_change_before_the_pledge_was_made_is_refused()
    {
        var pledge = Given(Registered(madeOn: "2015-02"));
        Should.Throw<PledgeRuleViolation>(() => AssessStatusSlice.Decide(Command(PledgeStatus.Kept, "2015-01-31"), pledge, Today))
            .Field.ShouldBe("occurredOn");
    }

    [Fact]
    public void A_partial_date_overlapping_the_day_the_pledge_was_made_is_accepted()
    {
        var pledge = Given(Registered(madeOn: "2015-02-26"));
        AssessStatusSlice.Decide(Command(PledgeStatus.InTheWorks, "2015"), pledge, Today).OccurredOn.ShouldBe("2015");
    }

    [Fact]
    public void A_status_change_without_a_reason_is_refused()
    {
        var pledge = Given(Registered());
        Should.Throw<PledgeRuleViolation>(() => AssessStatusSlice.Decide(Command(PledgeStatus.Kept, reason: " "), pledge, Today))
            .Field.ShouldBe("reason");
    }

    [Fact]
    public void Validation_names_every_bad_field()
    {
        var v = new Http.Validation();
        var command = AssessStatusSlice.Validate("kh-r2p-1",
            new AssessStatusRequest("Done", null, [new Http.EvidenceRequest("", "ftp://example.org", "2019-13")], "yesterday"),
            "alice", Today, v);

        command.ShouldBeNull();
        v.Errors.Keys.ShouldBe(["status", "reason", "evidence[0].title", "evidence[0].url", "evidence[0].publishedOn", "occurredOn"], ignoreOrder: true);
    }

    [Fact]
    public void Validation_requires_at_least_one_evidence_item()
    {
        var v = new Http.Validation();
        AssessStatusSlice.Validate("kh-r2p-1", new AssessStatusRequest("Kept", "r", [], null), "alice", Today, v).ShouldBeNull();
        v.Errors.Keys.ShouldBe(["evidence"]);
    }

    [Fact]
    public void Occurred_on_defaults_to_today()
    {
        var v = new Http.Validation();
        var command = AssessStatusSlice.Validate("kh-r2p-1", new AssessStatusRequest("Kept", "r", [new Http.EvidenceRequest("t", null, null)], null), "alice", Today, v);
        command!.OccurredOn.ShouldBe(PartialDate.FromDate(Today));
    }
}
