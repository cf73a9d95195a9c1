using R2PTracker.Gateway.Dashboard.Charts;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

public class StatusBandsTests
{
    private static DateOnly D(string text) => DateOnly.Parse(text);

    private static readonly StatusSpan[] Spans =
    [
        new("NotYetRated", D("2015-02-28"), D("2016-05-31")),
        new("InTheWorks", D("2016-05-31"), D("2019-12-31")),
        new("Stalled", D("2019-12-31"), D("2021-12-31")),
        new("InTheWorks", D("2021-12-31"), null),
    ];

    [Fact]
    public void The_bands_follow_each_other_without_gaps_from_the_left_edge_to_the_right()
    {
        var shapes = StatusBands.Layout(Spans, D("2026-12-02"));
        shapes.Bands.Select(b => b.Status).ShouldBe(["NotYetRated", "InTheWorks", "Stalled", "InTheWorks"]);
        shapes.Bands[0].X.ShouldBe(shapes.Plot.Left, 1e-9);
        for (var i = 1; i < shapes.Bands.Count; i++)
        {
            shapes.Bands[i].X.ShouldBe(shapes.Bands[i - 1].X + shapes.Bands[i - 1].Width, 1e-9);
            shapes.Bands[i].From.ShouldBe(shapes.Bands[i - 1].Until.AddDays(1));
        }
        (shapes.Bands[^1].X + shapes.Bands[^1].Width).ShouldBe(shapes.Plot.Right, 1e-9);
        shapes.Bands[^1].Until.ShouldBe(D("2026-12-02"));
        shapes.Bands.ShouldAllBe(b => b.Width > 0);
    }

    [Fact]
    public void Widths_are_in_proportion_to_the_days_each_status_lasted()
    {
        var shapes = StatusBands.Layout(Spans, D("2026-12-02"));
        var perDay = shapes.Plot.Width / (D("2026-12-02").DayNumber - D("2015-02-28").DayNumber + 1);
        foreach (var band in shapes.Bands)
            band.Width.ShouldBe((band.Until.DayNumber - band.From.DayNumber + 1) * perDay, 1e-9);
    }

    [Fact]
    public void An_as_of_date_cuts_the_span_that_holds_it_and_leaves_out_the_later_ones()
    {
        var shapes = StatusBands.Layout(Spans, D("2018-01-01"));
        shapes.Bands.Select(b => (b.Status, b.Until)).ShouldBe([("NotYetRated", D("2016-05-30")), ("InTheWorks", D("2018-01-01"))]);
        (shapes.Bands[^1].X + shapes.Bands[^1].Width).ShouldBe(shapes.Plot.Right, 1e-9);
        shapes.XTicks.Select(t => t.Label).ShouldBe(["2016", "2017", "2018"]);
    }

    [Fact]
    public void No_spans_or_a_date_before_the_first_is_an_empty_band()
    {
        StatusBands.Layout([], D("2026-01-01")).IsEmpty.ShouldBeTrue();
        StatusBands.Layout(Spans, D("2014-01-01")).IsEmpty.ShouldBeTrue();
    }
}
