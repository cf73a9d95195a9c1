using System.Globalization;

namespace R2PTracker.Gateway.Dashboard;

/// <summary>
/// The span and step of the home page's chart: from the first year with a pledge to the as-of date (or
/// today), by month while that stays within <see cref="MaxPoints"/> points, else by quarter, else by year.
/// </summary>
public sealed record SeriesRange(string From, string To, string Interval)
{
    /// <summary>Fewer than commitments' 500, so that each step stays wide enough to see.</summary>
    public const int MaxPoints = 240;

    /// <summary>The first year the chart looks for pledges in: the R2P commitment dates from the 2005 World Summit.</summary>
    public const int EarliestYear = 2005;

    /// <summary>The yearly series that tells which year the first pledge falls in.</summary>
    public static SeriesRange Survey(DateOnly to) => new(EarliestYear.ToString(CultureInfo.InvariantCulture), Day(to), "year");

    public static SeriesRange For(int fromYear, DateOnly to)
    {
        var months = (to.Year - fromYear) * 12 + to.Month;
        var interval = months <= MaxPoints ? "month" : months / 3 + 1 <= MaxPoints ? "quarter" : "year";
        return new SeriesRange(fromYear.ToString(CultureInfo.InvariantCulture), Day(to), interval);
    }

    /// <summary>A date as the list takes it (YYYY, YYYY-MM or YYYY-MM-DD), as its last day; null if it is not one.</summary>
    public static DateOnly? LastDayOf(string? text)
    {
        if (text is null) return null;
        text = Contracts.Digits.ToAscii(text);   // "២០១៦" as commitments reads it
        string[] formats = ["yyyy-MM-dd", "yyyy-MM", "yyyy"];
        foreach (var format in formats)
        {
            if (!DateOnly.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) continue;
            return format switch
            {
                "yyyy" => new DateOnly(day.Year, 12, 31),
                "yyyy-MM" => day.AddMonths(1).AddDays(-1),
                _ => day,
            };
        }
        return null;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
