using System.Globalization;
using System.Resources;
using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Feeds;

/// <summary>
/// The feeds' texts in a language, from Resources/Feeds/FeedText.resx (English) and FeedText.km.resx
/// (Khmer), by symbolic key. A feed is asked for in one language by its URL (<c>?lang=</c>), so the
/// language is passed in rather than read from the thread's culture.
/// </summary>
public sealed class FeedText(string language)
{
    private static readonly ResourceManager Resources = new("R2PTracker.Commitments.Resources.Feeds.FeedText", typeof(FeedText).Assembly);

    public const string English = "en";
    public static readonly FeedText InEnglish = new(English);

    private readonly CultureInfo _culture = CultureInfo.GetCultureInfo(language);

    public string Language { get; } = language;

    /// <summary>The text of a key; a key missing from the language falls back to English (a test keeps both complete).</summary>
    public string this[string key] => Resources.GetString(key, _culture) ?? throw new KeyNotFoundException($"No feed text '{key}'.");

    public string Format(string key, params object?[] args) => string.Format(CultureInfo.InvariantCulture, this[key], args);

    public string Status(PledgeStatus status) => this[$"Status.{status}"];

    /// <summary>A recorded name of a field, language or kind in this language; one the resources do not know stays as recorded.</summary>
    public string Term(string prefix, string value) => Resources.GetString($"{prefix}.{value}", _culture) ?? value;

    /// <summary>Who translated what into which language: "The title translated into km by Sok Dara (unofficial)".</summary>
    public string Translated(TranslationAdded t) => t.MilestoneId is null
        ? Format("Translated.Pledge", Term("Field", t.Field), Term("Language", t.Language), t.Translator, Term("Kind", t.Kind))
        : Format("Translated.Milestone", t.MilestoneId, Term("Field", t.Field), Term("Language", t.Language), t.Translator, Term("Kind", t.Kind));

    /// <summary>The keys of a language's own resources (not falling back), for the completeness test.</summary>
    internal static IReadOnlySet<string> KeysOf(string language)
    {
        var set = Resources.GetResourceSet(language == English ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(language), true, false);
        return set is null ? new HashSet<string>() : set.Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).ToHashSet();
    }
}
