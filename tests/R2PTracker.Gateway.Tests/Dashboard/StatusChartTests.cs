using R2PTracker.Gateway.Dashboard;
using R2PTracker.Gateway.Dashboard.Charts;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

public class StatusChartTests
{
    private static SeriesPoint Point(string date, int notYetRated = 0, int inTheWorks = 0, int kept = 0, int broken = 0) =>
        new(DateOnly.Parse(date), notYetRated + inTheWorks + kept + broken,
            new Dictionary<string, int> { ["NotYetRated"] = notYetRated, ["InTheWorks"] = inTheWorks, ["Kept"] = kept, ["Broken"] = broken }, 0);

    private static readonly SeriesPoint[] Series =
    [
        Point("2015-12-31", notYetRated: 7),
        Point("2016-12-31", notYetRated: 6, kept: 1),
        Point("2023-12-31", notYetRated: 4, inTheWorks: 1, kept: 1, broken: 1),
        Point("2026-12-31", notYetRated: 3, inTheWorks: 2, kept: 1, broken: 3),
    ];

    [Fact]
    public void The_stacked_bands_sum_to_the_total_at_every_point_each_band_resting_on_the_one_below()
    {
        var chart = StatusChart.Layout(Series, asOf: null);
        var perUnit = chart.Plot.Height / chart.Max;
        for (var i = 0; i < Series.Length; i++)
        {
            chart.Bands[0].Edges[i].Bottom.ShouldBe(chart.Plot.Bottom, 1e-9);
            for (var b = 1; b < chart.Bands.Count; b++)
                chart.Bands[b].Edges[i].Bottom.ShouldBe(chart.Bands[b - 1].Edges[i].Top, 1e-9);
            chart.Bands.Sum(band => band.Edges[i].Bottom - band.Edges[i].Top).ShouldBe(Series[i].Total * perUnit, 1e-9);
            foreach (var band in chart.Bands)
                (band.Edges[i].Bottom - band.Edges[i].Top).ShouldBe(Series[i].Count(band.Status) * perUnit, 1e-9, band.Status);
        }
        chart.Max.ShouldBeGreaterThanOrEqualTo(Series.Max(p => p.Total));
    }

    [Fact]
    public void There_is_a_band_for_each_status_that_occurs_in_the_badges_order_and_none_for_the_others()
    {
        var chart = StatusChart.Layout(Series, asOf: null);
        chart.Bands.Select(b => b.Status).ShouldBe(["NotYetRated", "InTheWorks", "Kept", "Broken"]);
        StatusText.All.Where(s => chart.Bands.Select(b => b.Status).Contains(s)).ShouldBe(chart.Bands.Select(b => b.Status));
        chart.Bands[0].Polygon.Split(' ').Length.ShouldBe(2 * Series.Length);
    }

    [Fact]
    public void The_x_axis_runs_from_the_first_to_the_last_point_with_year_ticks_inside_it()
    {
        var chart = StatusChart.Layout(Series, asOf: null);
        chart.Bands[0].Edges[0].X.ShouldBe(chart.Plot.Left, 1e-9);
        chart.Bands[0].Edges[^1].X.ShouldBe(chart.Plot.Right, 1e-9);
        chart.XTicks.ShouldNotBeEmpty();
        chart.XTicks.ShouldAllBe(t => t.Position >= chart.Plot.Left && t.Position <= chart.Plot.Right);
        chart.XTicks[0].Label.ShouldBe("2016");
        chart.YTicks.Select(t => t.Label).ShouldContain("0");
        chart.YTicks.Select(t => t.Label).ShouldContain(chart.Max.ToString());
    }

    [Fact]
    public void The_as_of_marker_stands_at_its_date_within_the_axis()
    {
        var asOf = new DateOnly(2021, 6, 30);
        var chart = StatusChart.Layout(Series, asOf);
        chart.AsOf.ShouldNotBeNull();
        var first = Series[0].Date.DayNumber;
        var expected = chart.Plot.Left + chart.Plot.Width * (asOf.DayNumber - first) / (Series[^1].Date.DayNumber - first);
        chart.AsOf.Value.X.ShouldBe(expected, 1e-9);
        chart.AsOf.Value.X.ShouldBeInRange(chart.Plot.Left, chart.Plot.Right);
        chart.AsOf.Value.Date.ShouldBe(new DateOnly(2021, 6, 30));
        // Right of the middle the label goes to the left of the line, left of it to the right: inside the plot.
        StatusChart.Layout(Series, new DateOnly(2024, 6, 30)).AsOf!.Value.LabelLeft.ShouldBeTrue();
        StatusChart.Layout(Series, new DateOnly(2016, 6, 30)).AsOf!.Value.LabelLeft.ShouldBeFalse();
        // In the first interval, before its point: at the left edge, not outside the axis.
        StatusChart.Layout(Series, new DateOnly(2015, 12, 15)).AsOf!.Value.X.ShouldBe(chart.Plot.Left);
    }

    [Fact]
    public void A_date_outside_the_series_has_no_marker()
    {
        StatusChart.Layout(Series, new DateOnly(2030, 1, 1)).AsOf.ShouldBeNull();
        StatusChart.Layout(Series, new DateOnly(2010, 1, 1)).AsOf.ShouldBeNull();
    }

    [Fact]
    public void An_empty_series_or_one_without_pledges_is_an_empty_chart()
    {
        var empty = StatusChart.Layout([], new DateOnly(2020, 1, 1));
        empty.IsEmpty.ShouldBeTrue();
        empty.AsOf.ShouldBeNull();
        empty.XTicks.ShouldBeEmpty();
        StatusChart.Layout([Point("2015-12-31"), Point("2016-12-31")], null).IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void A_single_point_stands_in_the_middle()
    {
        var chart = StatusChart.Layout([Point("2016-12-31", kept: 2)], new DateOnly(2016, 12, 31));
        chart.Bands.ShouldHaveSingleItem().Edges.ShouldHaveSingleItem().X.ShouldBe(chart.Plot.Left + chart.Plot.Width / 2, 1e-9);
        chart.AsOf.ShouldNotBeNull();
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    [InlineData(7, 8)]
    [InlineData(8, 8)]
    [InlineData(9, 12)]
    public void The_y_axis_tops_out_at_a_whole_multiple_of_four_steps(int total, int max) => StatusChart.NiceMax(total).ShouldBe(max);
}
