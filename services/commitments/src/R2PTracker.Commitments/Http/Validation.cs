using System.Text.RegularExpressions;
using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Http;

/// <summary>
/// Collects per-field errors for a 400 problem details response, of which at most <see cref="MaxListed"/>
/// are kept and listed and the rest only counted: a body with thousands of bad entries gets a short
/// answer (the first errors and how many there were), not one larger than the request itself.
/// </summary>
public sealed partial class Validation
{
    public const int ShortTextMax = 300;
    public const int LongTextMax = 10_000;
    public const int MaxListed = 20;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private int _listed;

    public bool IsValid => Count == 0;

    /// <summary>Every error found, listed or not.</summary>
    public int Count { get; private set; }

    public int NotListed => Count - _listed;

    /// <summary>The listed errors by field: at most <see cref="MaxListed"/> messages in all.</summary>
    public Dictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void Add(string field, string message)
    {
        Count++;
        if (_listed >= MaxListed) return;
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        _listed++;
    }

    public string? RequiredText(string field, string? value, int max = ShortTextMax)
    {
        if (string.IsNullOrWhiteSpace(value)) { Add(field, $"'{field}' is required."); return null; }
        return OptionalText(field, value, max);
    }

    public string? OptionalText(string field, string? value, int max = ShortTextMax)
    {
        if (value is null) return null;
        if (value.Length > max) { Add(field, $"'{field}' must be at most {max} characters."); return null; }
        if (Forbidden(value, lineBreaks: max > ShortTextMax) is { } at)
        {
            Add(field, $"'{field}' must not contain control characters or broken Unicode (found U+{(int)value[at]:X4} at position {at}).");
            return null;
        }
        return value;
    }

    /// <summary>
    /// The first character a stored text may not hold: a control character (C0, DEL, C1) — except a
    /// tab or line break in long texts —, half of a surrogate pair, or U+FFFE/U+FFFF. None of them can be
    /// written into XML (the feeds) or shown, and they serve only to hide or break what a text says.
    /// </summary>
    public static int? Forbidden(string value, bool lineBreaks)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF') return i;
            if (char.IsControl(c) && !(lineBreaks && c is '\t' or '\n' or '\r')) return i;
        }
        return null;
    }

    public PartialDate? OptionalDate(string field, string? value)
    {
        if (value is null) return null;
        if (PartialDate.TryParse(value, out var date)) return date;
        Add(field, $"'{field}' must be a date of the form YYYY, YYYY-MM or YYYY-MM-DD.");
        return null;
    }

    public PartialDate? RequiredDate(string field, string? value)
    {
        if (value is null) { Add(field, $"'{field}' is required."); return null; }
        return OptionalDate(field, value);
    }

    public string? OptionalUrl(string field, string? value)
    {
        if (value is null) return null;
        if (value.Length <= 2000
            && Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return value;
        }
        Add(field, $"'{field}' must be an absolute http or https URL.");
        return null;
    }

    public string? Slug(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) { Add(field, $"'{field}' is required."); return null; }
        if (value.Length is < 2 or > 80 || !SlugShape().IsMatch(value))
        {
            Add(field, $"'{field}' must be a lowercase slug: letters a-z, digits and single hyphens, 2 to 80 characters.");
            return null;
        }
        return value;
    }

    public TEnum? Enum<TEnum>(string field, string? value) where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(value)) { Add(field, $"'{field}' is required."); return null; }
        if (System.Enum.TryParse<TEnum>(value, ignoreCase: false, out var parsed) && System.Enum.IsDefined(parsed)
            && !char.IsDigit(value[0]))
        {
            return parsed;
        }
        Add(field, $"'{field}' must be one of: {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
        return null;
    }

    public IReadOnlyList<Evidence> EvidenceList(string field, IReadOnlyList<EvidenceRequest?>? items)
    {
        if (items is null || items.Count == 0)
        {
            Add(field, $"'{field}' must list at least one item.");
            return [];
        }
        if (items.Count > 50) { Add(field, $"'{field}' may list at most 50 items."); return []; }
        var result = new List<Evidence>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null) { Add($"{field}[{i}]", "An evidence item is required."); continue; }
            var title = RequiredText($"{field}[{i}].title", item.Title);
            var url = OptionalUrl($"{field}[{i}].url", item.Url);
            var publishedOn = OptionalDate($"{field}[{i}].publishedOn", item.PublishedOn);
            if (title is not null) result.Add(new Evidence(title, url, publishedOn?.ToString()));
        }
        return result;
    }

    /// <summary>A citation of where a text comes from; null when absent or invalid.</summary>
    public SourceCitation? OptionalSource(string field, SourceRequest? source)
    {
        if (source is null) return null;
        var title = RequiredText($"{field}.title", source.Title);
        var publisher = RequiredText($"{field}.publisher", source.Publisher);
        var publishedOn = OptionalDate($"{field}.publishedOn", source.PublishedOn);
        var url = OptionalUrl($"{field}.url", source.Url);
        var note = OptionalText($"{field}.note", source.Note, LongTextMax);
        return title is not null && publisher is not null ? new SourceCitation(title, publisher, publishedOn?.ToString(), url, note) : null;
    }

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z")]
    private static partial Regex SlugShape();
}

public record EvidenceRequest(string? Title, string? Url, string? PublishedOn);

public record SourceRequest(string? Title, string? Publisher, string? PublishedOn, string? Url, string? Note);
