using System.Globalization;
using System.Text.RegularExpressions;

namespace R2PTracker.Commitments.Pledges;

/// <summary>
/// A date with the precision the source gives: a year ("2016"), a month ("2019-12") or a day
/// ("2023-09-16"). Stored as that text. For ordering and comparisons a partial date covers a
/// span: it starts on its first day and ends on its last ("2016" = 2016-01-01 … 2016-12-31).
/// Written with ASCII or Khmer digits; always stored and shown in ASCII.
/// </summary>
public readonly partial record struct PartialDate(int Year, int? Month, int? Day)
{
    public DateOnly Earliest => new(Year, Month ?? 1, Day ?? 1);

    public DateOnly Latest => Day is not null
        ? new DateOnly(Year, Month!.Value, Day.Value)
        : Month is { } m
            ? new DateOnly(Year, m, DateTime.DaysInMonth(Year, m))
            : new DateOnly(Year, 12, 31);

    public override string ToString() => (Month, Day) switch
    {
        (null, _) => Year.ToString("D4", CultureInfo.InvariantCulture),
        (_, null) => $"{Year:D4}-{Month:D2}",
        _ => $"{Year:D4}-{Month:D2}-{Day:D2}",
    };

    public static PartialDate FromDate(DateOnly date) => new(date.Year, date.Month, date.Day);

    public static bool TryParse(string? text, out PartialDate date)
    {
        date = default;
        if (text is null) return false;
        // Khmer digits read as the same date ("២០១៩-១២" is 2019-12); any other script's digits are refused below.
        var match = Shape().Match(Contracts.Digits.ToAscii(text));
        if (!match.Success) return false;
        var year = int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture);
        int? month = match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : null;
        int? day = match.Groups["d"].Success ? int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture) : null;
        if (year < 1900 || month is < 1 or > 12) return false;
        if (day is not null && day > DateTime.DaysInMonth(year, month!.Value)) return false;
        if (day is < 1) return false;
        date = new PartialDate(year, month, day);
        return true;
    }

    public static PartialDate Parse(string text) =>
        TryParse(text, out var date) ? date : throw new FormatException($"'{text}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD.");

    // ASCII digits only (\d would take any script's digits, which int.Parse refuses), and \z, not $,
    // which would let a trailing newline through.
    [GeneratedRegex(@"^(?<y>[0-9]{4})(-(?<m>[0-9]{2})(-(?<d>[0-9]{2}))?)?\z")]
    private static partial Regex Shape();
}
