using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Pledges.Translating;
using Shouldly;
using static R2PTracker.Commitments.Tests.Domain.PledgeSpecification;

namespace R2PTracker.Commitments.Tests.Domain;

public class TranslatingTests
{
    private const string KhmerTitle = "ការទទួលខុសត្រូវក្នុងការការពារ";

    private static AddTranslation Command(string field = "title", string? milestoneId = null, string text = KhmerTitle) =>
        new("kh-r2p-1", milestoneId, field, "km", text, "Sok Dara", TranslationAdded.Unofficial, null, PartialDate.FromDate(Today), "Chan Sophea");

    private static TranslationAdded Translated(string original, string occurredOn = "2024-01-01") =>
        new("kh-r2p-1", null, "title", "km", KhmerTitle, original, "Sok Dara", TranslationAdded.Unofficial, null, occurredOn, "Chan Sophea");

    private static PledgeDetailsRevised Revised(string title, string occurredOn) =>
        new("kh-r2p-1", title, null, null, null, "Quoted wrongly", occurredOn, "seed");

    [Fact]
    public void A_translation_records_the_verbatim_text_it_translates()
    {
        var e = AddTranslationSlice.Decide(Command(), Given(Registered()), Today);
        e.Original.ShouldBe("A pledge");
        e.Target().ShouldBe("title");
        Given(Registered(), e).Translations["km"].Title!.Text.ShouldBe(KhmerTitle);
    }

    [Fact]
    public void A_translation_of_a_milestone_the_pledge_does_not_have_is_refused_naming_target() =>
        Should.Throw<PledgeRuleViolation>(() => AddTranslationSlice.Decide(Command("description", "ms-9"), Given(Registered(), Logged()), Today))
            .Field.ShouldBe("target");

    [Fact]
    public void A_revision_of_the_title_withdraws_its_translation()
    {
        var pledge = Given(Registered(), Translated("A pledge"), Revised("A better pledge", "2025-01-01"));
        pledge.Translations["km"].Title.ShouldBeNull();
    }

    [Fact]
    public void On_the_occurred_axis_a_translation_of_the_old_wording_does_not_attach_to_a_revision_dated_before_it()
    {
        // Recorded: translation, then a revision dated earlier. The occurred axis folds the revision first.
        var stream = new object[] { Registered(), Translated("A pledge", "2024-01-01"), Revised("A better pledge", "2020-01-01") }
            .Select((d, i) => new StoredEvent(i + 1, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(i), d)).ToList();
        var occurred = PledgeAsOf.FoldOccurred(stream, Today)!;
        occurred.Title.ShouldBe("A better pledge");
        occurred.Translations.GetValueOrDefault("km")?.Title.ShouldBeNull();
        PledgeAsOf.FoldRecorded(stream, Today)!.Translations["km"].Title.ShouldBeNull();
    }

    private static StatusAssessed Assessed(PledgeStatus from, PledgeStatus to, string reason) =>
        new("kh-r2p-1", from, to, reason, SomeEvidence, "2024-02", "Chan Sophea");

    [Fact]
    public void The_reason_of_the_current_status_is_translated_until_a_new_status_brings_another_reason()
    {
        var stalled = Given(Registered(), Assessed(PledgeStatus.NotYetRated, PledgeStatus.Stalled, "No budget was allocated"));
        var e = AddTranslationSlice.Decide(Command(TranslationAdded.StatusReasonField, text: "មិនមានថវិកា"), stalled, Today);
        e.Original.ShouldBe("No budget was allocated");
        e.Target().ShouldBe("statusReason");

        var translated = Given(Registered(), Assessed(PledgeStatus.NotYetRated, PledgeStatus.Stalled, "No budget was allocated"), e);
        translated.Translations["km"].StatusReason!.Text.ShouldBe("មិនមានថវិកា");
        translated.Translations["km"].Title.ShouldBeNull();
        Given(Registered(), Assessed(PledgeStatus.NotYetRated, PledgeStatus.Stalled, "No budget was allocated"), e,
                Assessed(PledgeStatus.Stalled, PledgeStatus.InTheWorks, "A budget line was approved"))
            .Translations["km"].StatusReason.ShouldBeNull("the new status has a reason of its own");
    }

    [Fact]
    public void A_status_reason_is_not_translated_before_there_is_one() =>
        Should.Throw<PledgeRuleViolation>(() => AddTranslationSlice.Decide(Command(TranslationAdded.StatusReasonField), Given(Registered()), Today))
            .Field.ShouldBe("target");
}
