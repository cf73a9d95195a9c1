using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Submissions;
using Shouldly;
using static R2PTracker.Commitments.Tests.Domain.PledgeSpecification;

namespace R2PTracker.Commitments.Tests.Submissions;

/// <summary>Accepting a submission, as a pure decision on the pledge: given the pledge and the submission, the events to append.</summary>
public class AcceptingTests
{
    private static readonly Guid Id = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");

    private static Submission Sent(string? name = "Sok Dara") => Submission.Create(new SubmissionReceived(
        Id, "kh-r2p-1", "A decree named the focal point.", ["https://example.org/decree"], name, false, "hash", DateTimeOffset.UnixEpoch));

    private static readonly AcceptSubmissionRequest AsMilestone = new("milestone", "Focal point named", null, "2016", null, null);

    [Fact]
    public void Accepted_as_a_milestone_it_is_one_milestone_crediting_the_submitter_with_the_submitted_text_and_links()
    {
        var logged = ModerationSlice.Decide(AsMilestone, Sent(), Given(Registered()), "ms-9", "Chan Sophea", Today).ShouldHaveSingleItem()
            .ShouldBeOfType<MilestoneLogged>();
        logged.Credit.ShouldBe(new PublicCredit(Id.ToString(), "Sok Dara"));
        logged.Description.ShouldBe("A decree named the focal point.");
        logged.Evidence.ShouldHaveSingleItem().Url.ShouldBe("https://example.org/decree");
        logged.RecordedBy.ShouldBe("Chan Sophea");
    }

    [Fact]
    public void Accepting_again_a_submission_the_pledge_already_credits_appends_nothing()
    {
        var pledge = Given(Registered(), ModerationSlice.Decide(AsMilestone, Sent(), Given(Registered()), "ms-9", "Chan Sophea", Today).ToArray());
        pledge.CreditedSubmissions.ShouldBe([Id.ToString()]);
        ModerationSlice.Decide(AsMilestone, Sent(), pledge, "ms-10", "Chan Sophea", Today).ShouldBeEmpty();
    }

    [Fact]
    public void A_milestone_needs_a_title_and_evidence_an_existing_milestone()
    {
        Should.Throw<PledgeRuleViolation>(() => ModerationSlice.Decide(AsMilestone with { Title = null }, Sent(), Given(Registered()), "ms-9", "s", Today))
            .Field.ShouldBe("title");
        Should.Throw<PledgeRuleViolation>(() => ModerationSlice.Decide(new AcceptSubmissionRequest("evidence", null, null, null, "ms-x", null), Sent(),
            Given(Registered()), "ms-9", "s", Today)).Field.ShouldBe("milestoneId");
        Should.Throw<PledgeRuleViolation>(() => ModerationSlice.Decide(AsMilestone with { As = "note" }, Sent(), Given(Registered()), "ms-9", "s", Today))
            .Field.ShouldBe("as");
    }
}
