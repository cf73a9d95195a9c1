using System.Text.Json.Nodes;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.Translating;

/// <summary>
/// A read in a language (<c>?lang=</c>, else <c>Accept-Language</c>): each text that has a translation
/// into it is given in it, every text says its language (<c>titleLanguage</c>, <c>quoteLanguage</c>; on a
/// milestone <c>titleLanguage</c>, <c>descriptionLanguage</c>), and the verbatim originals stay beside
/// them under <c>original</c>. Without a language the record is the original alone, as it always was.
/// The record also gives its current status reason in the language, with <c>statusReasonLanguage</c>; a
/// list item gives its title and quote only.
/// </summary>
public static class ReadingLanguage
{
    /// <summary>The language asked for, or null; an unsupported ?lang= is an error (an unsupported Accept-Language is not).</summary>
    public static string? Requested(HttpContext http, Validation v)
    {
        http.Response.Headers.Vary = "Accept-Language";
        var query = GettingPledges.PledgeFilter.Single(http.Request.Query, ContentLanguages.QueryName);
        var language = ContentLanguages.Requested(query, http.Request.Headers.AcceptLanguage.ToString());
        if (query is not null && language is null) v.Add(ContentLanguages.QueryName, $"'lang' must be one of: {ContentLanguages.Listed}.");
        return language;
    }

    /// <summary>
    /// A list item (stored JSON, <paramref name="data"/> an SQL expression) in a language, by the same rule as
    /// <see cref="Localise"/>: the item's own translations are read, so the page stays one index-backed query.
    /// </summary>
    public static string Sql(string data, string language)
    {
        string Text(string field) => TranslatedSql(data, language, field);
        string Pair(string field) =>
            $"'{field}', coalesce({Text(field)}, {data}->>'{field}'), "
            + $"'{field}Language', case when {Text(field)} is null then '{ContentLanguages.Original}' else {language} end";
        return $"({data} || jsonb_build_object({Pair("title")}, {Pair("quote")}, 'original', jsonb_build_object("
               + $"'title', {data}->'title', 'quote', {data}->'quote', 'language', '{ContentLanguages.Original}')))";
    }

    /// <summary>
    /// The translation into <paramref name="language"/> (an SQL expression) of a stored item's text
    /// <paramref name="field"/> that counts, or SQL null: the one place the read side reads a translation.
    /// </summary>
    public static string TranslatedSql(string data, string language, string field) =>
        $"{data} #>> array['translations', {language}, '{field}', 'text']";

    /// <summary>A whole record (with its milestones) in a language.</summary>
    public static JsonObject Localise(JsonObject pledge, string language)
    {
        var translations = pledge["translations"]?[language] as JsonObject;
        Use(pledge, translations, language, ["title", "quote", Pledges.TranslationAdded.StatusReasonField]);
        if (pledge["milestones"] is JsonArray milestones)
            foreach (var milestone in milestones.OfType<JsonObject>())
                Use(milestone, translations?["milestones"]?[(string?)milestone["id"] ?? ""] as JsonObject, language, ["title", "description"]);
        return pledge;
    }

    private static void Use(JsonObject texts, JsonObject? translated, string language, string[] fields)
    {
        var original = new JsonObject();
        foreach (var field in fields)
        {
            // No status reason yet: nothing to give in a language.
            if (field == Pledges.TranslationAdded.StatusReasonField && texts[field] is null) continue;
            original[field] = texts[field]?.DeepClone();
            if (translated?[field]?["text"] is JsonValue text)
            {
                texts[field] = text.DeepClone();
                texts[field + "Language"] = language;
            }
            else texts[field + "Language"] = ContentLanguages.Original;
        }
        original["language"] = ContentLanguages.Original;
        texts["original"] = original;
    }
}
