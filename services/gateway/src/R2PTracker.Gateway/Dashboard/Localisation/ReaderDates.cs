using System.Globalization;

namespace R2PTracker.Gateway.Dashboard.Localisation;

/// <summary>
/// Dates as a reader reads them, in the request's culture: "22 September 2016" / "22 កញ្ញា 2016";
/// a date known only to the month or year is shown as exactly that ("December 2019" / "ធ្នូ 2019", "2016").
/// The record keeps ISO dates (machine-readable attributes stay ISO); only the text shown changes.
/// </summary>
public static class ReaderDates
{
    public static string Day(DateOnly day) => day.ToString("d MMMM yyyy", CultureInfo.CurrentCulture);

    public static string Month(DateOnly day) => day.ToString("MMMM yyyy", CultureInfo.CurrentCulture);

    /// <summary>A date as the record gives it (YYYY, YYYY-MM or YYYY-MM-DD); anything else is shown as it is.</summary>
    public static string Partial(string? text)
    {
        if (text is null) return "";
        var ascii = Contracts.Digits.ToAscii(text);
        if (DateOnly.TryParseExact(ascii, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return Day(day);
        if (DateOnly.TryParseExact(ascii, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)) return Month(month);
        if (DateOnly.TryParseExact(ascii, "yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var year))
            return year.Year.ToString(CultureInfo.CurrentCulture);
        return text;
    }

    /// <summary>A moment in UTC, with its time: "1 December 2026, 10:00 UTC".</summary>
    public static string Moment(DateTimeOffset at) =>
        Day(DateOnly.FromDateTime(at.UtcDateTime)) + ", " + at.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Number(long n) => n.ToString("N0", CultureInfo.CurrentCulture);
}
