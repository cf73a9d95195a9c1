using System.Globalization;

namespace R2PTracker.Gateway.Dashboard.Charts;

/// <summary>One span of <c>GET /api/pledges/{id}/status-history</c>: <c>[From, To)</c>, <c>To</c> null while it lasts.</summary>
public sealed record StatusSpan(string Status, DateOnly From, DateOnly? To);

/// <summary>A band as drawn: from x for a width, and the days it stands for (<c>[From, Until]</c>, both inclusive).</summary>
public readonly record struct StatusBand(string Status, double X, double Width, DateOnly From, DateOnly Until);

public sealed record StatusBandShapes(double Width, double Height, PlotArea Plot, IReadOnlyList<StatusBand> Bands, IReadOnlyList<ChartTick> XTicks, DateOnly? End)
{
    public bool IsEmpty => Bands.Count == 0;
}

/// <summary>
/// A pledge's status over time as coloured bands on one line: each status span a band, from the first
/// span (registration) to <paramref name="end"/> (today or the as-of date); spans after it are left
/// out and the one holding it is cut there. Pure, so it is tested without a browser.
/// </summary>
public static class StatusBands
{
    public static StatusBandShapes Layout(IReadOnlyList<StatusSpan> spans, DateOnly end, double width = 760, double height = 64)
    {
        var plot = new PlotArea(8, 6, width - 8, height - 24);
        var shown = spans.OrderBy(s => s.From)
            .Select(s => (s.Status, s.From, Until: s.To is { } to && to.AddDays(-1) < end ? to.AddDays(-1) : end))
            .Where(s => s.Until >= s.From)
            .ToList();
        if (shown.Count == 0) return new StatusBandShapes(width, height, plot, [], [], null);

        var first = shown[0].From;
        // A band covers its days whole: the axis runs from the first day's start to the last day's end.
        var days = end.DayNumber - first.DayNumber + 1;
        double X(DateOnly day) => plot.Left + plot.Width * (day.DayNumber - first.DayNumber) / days;
        var bands = shown.Select(s => new StatusBand(s.Status, X(s.From), X(s.Until.AddDays(1)) - X(s.From), s.From, s.Until)).ToList();

        var years = Enumerable.Range(first.Year, end.Year - first.Year + 1).Select(y => new DateOnly(y, 1, 1))
            .Where(d => d > first && d <= end).ToList();
        var step = Math.Max(1, (int)Math.Ceiling(years.Count / 12.0));
        var ticks = years.Where((_, i) => i % step == 0)
            .Select(d => new ChartTick(X(d), d.Year.ToString(CultureInfo.InvariantCulture))).ToList();
        return new StatusBandShapes(width, height, plot, bands, ticks, end);
    }
}
