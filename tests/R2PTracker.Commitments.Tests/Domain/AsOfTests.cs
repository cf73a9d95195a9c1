using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AsOf;
using Shouldly;
using static R2PTracker.Commitments.Tests.Domain.PledgeSpecification;

namespace R2PTracker.Commitments.Tests.Domain;

public class AsOfTests
{
    private static readonly DateTimeOffset RecordedDay = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static List<StoredEvent> Stream(params object[] data) =>
        data.Select((d, i) => new StoredEvent(i + 1, RecordedDay.AddDays(i), d)).ToList();

    private static StatusAssessed Kept(string on) => new("kh-r2p-1", PledgeStatus.NotYetRated, PledgeStatus.Kept, "Appointed", SomeEvidence, on, "seed");

    [Fact]
    public void A_year_precision_fact_counts_from_the_last_day_of_that_year()
    {
        var stream = Stream(Registered(), Kept("2016"));
        PledgeAsOf.FoldOccurred(stream, new DateOnly(2015, 12, 31))!.Status.ShouldBe(PledgeStatus.NotYetRated);
        PledgeAsOf.FoldOccurred(stream, new DateOnly(2016, 6, 30))!.Status.ShouldBe(PledgeStatus.NotYetRated);
        PledgeAsOf.FoldOccurred(stream, new DateOnly(2016, 12, 31))!.Status.ShouldBe(PledgeStatus.Kept);
    }

    [Fact]
    public void A_pledge_is_absent_before_its_made_on_date_has_passed()
    {
        PledgeAsOf.FoldOccurred(Stream(Registered(madeOn: "2015-02")), new DateOnly(2015, 2, 27)).ShouldBeNull();
        PledgeAsOf.FoldOccurred(Stream(Registered(madeOn: "2015-02")), new DateOnly(2015, 2, 28)).ShouldNotBeNull();
    }

    [Fact]
    public void Retracted_milestones_never_count_and_corrections_move_a_milestone_in_time()
    {
        var stream = Stream(Registered(), Logged("ms-1", "2019-12"), Logged("ms-2", "2020"),
            new MilestoneRetracted("kh-r2p-1", "ms-2", "Not this pledge", "bob"),
            new MilestoneCorrected("kh-r2p-1", "ms-1", "Outreach", "d", "2021-03", SomeEvidence, "Date misread", "bob"));
        PledgeAsOf.FoldOccurred(stream, new DateOnly(2020, 12, 31))!.MilestoneCount.ShouldBe(0);
        PledgeAsOf.FoldOccurred(stream, new DateOnly(2021, 3, 31))!.MilestoneCount.ShouldBe(1);
    }

    [Fact]
    public void The_recorded_axis_shows_what_was_stored_by_the_end_of_that_day()
    {
        var stream = Stream(Registered(), Kept("2016"));
        PledgeAsOf.FoldRecorded(stream, new DateOnly(2026, 11, 19)).ShouldBeNull();
        PledgeAsOf.FoldRecorded(stream, new DateOnly(2026, 11, 20))!.Status.ShouldBe(PledgeStatus.NotYetRated);
        PledgeAsOf.FoldRecorded(stream, new DateOnly(2026, 11, 21))!.Status.ShouldBe(PledgeStatus.Kept);
    }
}
