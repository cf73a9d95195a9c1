using System.Globalization;

namespace R2PTracker.Gateway.Dashboard.Charts;

/// <summary>One point of <c>GET /api/tallies/series</c>: the tallies on the last day of an interval.</summary>
public sealed record SeriesPoint(DateOnly Date, int Total, IReadOnlyDictionary<string, int> ByStatus, int Overdue)
{
    public int Count(string status) => ByStatus.TryGetValue(status, out var n) ? n : 0;
}

/// <summary>Where a band passes over one point: its top and bottom edges (SVG y grows downwards).</summary>
public readonly record struct BandEdge(double X, double Top, double Bottom);

/// <summary>The area of one status, stacked on the statuses before it.</summary>
public sealed record ChartBand(string Status, IReadOnlyList<BandEdge> Edges)
{
    /// <summary>The SVG polygon: along the top from left to right, back along the bottom.</summary>
    public string Polygon => string.Join(' ',
        Edges.Select(e => Xy(e.X, e.Top)).Concat(Edges.Reverse().Select(e => Xy(e.X, e.Bottom))));

    private static string Xy(double x, double y) => string.Create(CultureInfo.InvariantCulture, $"{x:0.##},{y:0.##}");
}

public readonly record struct ChartTick(double Position, string Label);

/// <summary>The as-of line at <see cref="Date"/>; its label goes on the side with more room (<see cref="LabelLeft"/>: to the left of the line).</summary>
public readonly record struct ChartMarker(double X, DateOnly Date, bool LabelLeft);

/// <summary>The plot area inside the SVG: left, top, right and bottom edges.</summary>
public readonly record struct PlotArea(double Left, double Top, double Right, double Bottom)
{
    public double Width => Right - Left;
    public double Height => Bottom - Top;
}

public sealed record StatusChartShapes(
    double Width, double Height, PlotArea Plot, int Max, IReadOnlyList<ChartBand> Bands,
    IReadOnlyList<ChartTick> XTicks, IReadOnlyList<ChartTick> YTicks, ChartMarker? AsOf)
{
    public bool IsEmpty => Bands.Count == 0;
}

/// <summary>
/// The home page's status-over-time chart as shapes: one stacked area per status that occurs in the
/// series (in <see cref="StatusText.All"/> order, so colours and order match the badges), x by date,
/// y by count, year ticks, and the as-of date as a marker. Pure, so it is tested without a browser.
/// </summary>
public static class StatusChart
{
    public const double DefaultWidth = 760;
    public const double DefaultHeight = 280;

    public static StatusChartShapes Layout(IReadOnlyList<SeriesPoint> points, DateOnly? asOf,
        double width = DefaultWidth, double height = DefaultHeight)
    {
        var plot = new PlotArea(44, 12, width - 16, height - 34);
        var ordered = points.OrderBy(p => p.Date).ToList();
        var max = NiceMax(ordered.Count == 0 ? 0 : ordered.Max(p => StatusText.All.Sum(p.Count)));
        if (ordered.Count == 0 || max == 0) return new StatusChartShapes(width, height, plot, 0, [], [], [], null);

        var first = ordered[0].Date;
        var last = ordered[^1].Date;
        double X(DateOnly day) => last == first
            ? plot.Left + plot.Width / 2
            : plot.Left + plot.Width * (day.DayNumber - first.DayNumber) / (last.DayNumber - first.DayNumber);
        double Y(int count) => plot.Bottom - plot.Height * count / max;

        var bands = new List<ChartBand>();
        var below = new int[ordered.Count];
        foreach (var status in StatusText.All)
        {
            if (ordered.All(p => p.Count(status) == 0)) continue;
            var edges = new BandEdge[ordered.Count];
            for (var i = 0; i < ordered.Count; i++)
            {
                var bottom = below[i];
                below[i] += ordered[i].Count(status);
                edges[i] = new BandEdge(X(ordered[i].Date), Y(below[i]), Y(bottom));
            }
            bands.Add(new ChartBand(status, edges));
        }

        var years = Enumerable.Range(first.Year, last.Year - first.Year + 1).Select(y => new DateOnly(y, 1, 1))
            .Where(d => d >= first && d <= last).ToList();
        var step = Math.Max(1, (int)Math.Ceiling(years.Count / 12.0));
        var xTicks = years.Where((_, i) => i % step == 0)
            .Select(d => new ChartTick(X(d), d.Year.ToString(CultureInfo.InvariantCulture))).ToList();
        var yStep = Math.Max(1, max / 4);
        var yTicks = Enumerable.Range(0, max / yStep + 1).Select(i => i * yStep).Where(v => v <= max)
            .Select(v => new ChartTick(Y(v), v.ToString(CultureInfo.InvariantCulture))).ToList();

        ChartMarker? marker = null;
        if (asOf is { } day && day >= first.AddDays(-31) && day <= last)
        {
            var x = Math.Clamp(X(day), plot.Left, plot.Right);
            marker = new ChartMarker(x, day, x > plot.Left + plot.Width / 2);
        }
        return new StatusChartShapes(width, height, plot, max, bands, xTicks, yTicks, marker);
    }

    /// <summary>A top for the y axis that divides into four whole steps.</summary>
    public static int NiceMax(int total) => total <= 0 ? 0 : total <= 4 ? total : (total + 3) / 4 * 4;
}
