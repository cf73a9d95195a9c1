using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Marten;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Seeding;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>The seed's Khmer drafts of the seven titles and quotes: unofficial, by the seed actor, added once.</summary>
public class SeedTranslationTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string SeedPath = Path.Combine(AppContext.BaseDirectory, "Seeding", "r2p-cambodia.json");

    private static JsonObject SeedJson() => JsonNode.Parse(File.ReadAllText(SeedPath))!.AsObject();

    /// <summary>By pledge id: the seed's English title and quote and its Khmer drafts of them.</summary>
    private static Dictionary<string, (string Title, string Quote, string KhmerTitle, string KhmerQuote)> SeedTexts()
    {
        var file = SeedJson();
        var english = file["pledges"]!.AsArray().ToDictionary(p => (string)p!["id"]!, p => ((string)p!["title"]!, (string)p["quote"]!));
        return file["translations"]!["texts"]!.AsArray()
            .Where(t => (string)t!["language"]! == "km")
            .ToDictionary(t => (string)t!["pledgeId"]!,
                t => (english[(string)t!["pledgeId"]!].Item1, english[(string)t["pledgeId"]!].Item2, (string)t["title"]!, (string)t["quote"]!));
    }

    private static readonly string[] SeedIds = ["kh-r2p-1", "kh-r2p-2", "kh-r2p-3", "kh-r2p-4", "kh-r2p-5", "kh-r2p-6", "kh-r2p-focal-point"];

    /// <summary>Written in Khmer script: every letter is Khmer, but for the abbreviation R2P kept as the original has it.</summary>
    private static bool IsKhmer(string text) =>
        text.Replace("R2P", "", StringComparison.Ordinal).Where(char.IsLetter).All(c => c is >= '\u1780' and <= '\u17FF');

    private async Task<JsonElement> Get(string url) => await app.Anonymous().GetFromJsonAsync<JsonElement>(url, Ct);

    private async Task<int> SeedAsync(JsonObject file)
    {
        var path = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, file.ToJsonString(), Ct);
        try { return await Seeder.SeedAsync(app.Store, TimeProvider.System, path); }
        finally { File.Delete(path); }
    }

    /// <summary>The seed's first pledge under an id of its own and without its changes; with its Khmer drafts only if asked.</summary>
    private static JsonObject OnePledge(string id, bool translated, string? quote = null)
    {
        var file = SeedJson();
        var pledge = file["pledges"]![0]!.DeepClone().AsObject();
        pledge["id"] = id;
        if (quote is not null) pledge["quote"] = quote;
        file["pledges"] = new JsonArray(pledge);
        file["changes"] = new JsonArray();
        var translations = file["translations"]!.AsObject();
        var text = translations["texts"]!.AsArray().Single(t => (string)t!["pledgeId"]! == "kh-r2p-1")!.DeepClone().AsObject();
        text["pledgeId"] = id;
        translations["texts"] = translated ? new JsonArray(text) : new JsonArray();
        return file;
    }

    [Fact]
    public async Task Seeding_gives_each_of_the_seven_pledges_a_Khmer_title_and_quote_marked_unofficial_and_awaiting_review_by_the_seed_actor()
    {
        await app.SeedAsync();
        var texts = SeedTexts();
        foreach (var id in SeedIds)
        {
            var khmer = (await Get($"/api/pledges/{id}")).GetProperty("translations").GetProperty("km");
            foreach (var (field, expected) in new[] { ("title", texts[id].KhmerTitle), ("quote", texts[id].KhmerQuote) })
            {
                var translation = khmer.GetProperty(field);
                var text = translation.GetProperty("text").GetString()!;
                text.ShouldBe(expected, $"{id} {field}");
                IsKhmer(text).ShouldBeTrue($"{id} {field} is in Khmer script: {text}");
                translation.GetProperty("kind").GetString().ShouldBe("unofficial");
                translation.GetProperty("recordedBy").GetString().ShouldBe("seed:r2p-tracker");
                translation.GetProperty("translator").GetString()!.ShouldContain("awaiting review");
            }
        }
    }

    [Fact]
    public async Task A_second_seed_adds_no_translation_and_each_text_is_translated_once()
    {
        await app.SeedAsync();
        (await app.SeedAsync()).ShouldBe(0);

        await using var session = app.Store.QuerySession();
        foreach (var id in SeedIds)
        {
            var translated = (await session.Events.FetchStreamAsync(id, token: Ct)).Select(e => e.Data).OfType<TranslationAdded>().ToList();
            string.Join(", ", translated.Select(t => t.Field).Order(StringComparer.Ordinal)).ShouldBe("quote, title", id);
            translated.ShouldAllBe(t => t.Language == "km" && t.MilestoneId == null);
        }
    }

    [Fact]
    public async Task A_store_that_already_has_the_pledges_gets_their_translations_added_once()
    {
        var id = NewId();
        (await SeedAsync(OnePledge(id, translated: false))).ShouldBe(1);

        (await SeedAsync(OnePledge(id, translated: true))).ShouldBe(2);
        (await SeedAsync(OnePledge(id, translated: true))).ShouldBe(0);

        var khmer = (await Get($"/api/pledges/{id}")).GetProperty("translations").GetProperty("km");
        khmer.GetProperty("title").GetProperty("text").GetString().ShouldBe(SeedTexts()["kh-r2p-1"].KhmerTitle);
        khmer.GetProperty("quote").GetProperty("text").GetString().ShouldBe(SeedTexts()["kh-r2p-1"].KhmerQuote);
    }

    [Fact]
    public async Task The_seed_keeps_a_translation_already_there_and_does_not_translate_a_text_other_than_the_one_it_drafted_from()
    {
        var id = NewId();
        (await SeedAsync(OnePledge(id, translated: false, quote: "A wording of the quote other than the seed's."))).ShouldBe(1);
        var reviewed = new { target = "title", language = "km", text = "ការបកប្រែដែលបានពិនិត្យ", translator = "Sok Dara", kind = "official" };
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/translations", reviewed, "\"1\""), Ct)).EnsureSuccessStatusCode();

        (await SeedAsync(OnePledge(id, translated: true))).ShouldBe(0);

        var khmer = (await Get($"/api/pledges/{id}")).GetProperty("translations").GetProperty("km");
        khmer.GetProperty("title").GetProperty("text").GetString().ShouldBe("ការបកប្រែដែលបានពិនិត្យ");
        khmer.GetProperty("quote").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task In_Khmer_the_list_gives_the_seeded_Khmer_titles_with_their_language_and_the_English_originals()
    {
        await app.SeedAsync();
        var texts = SeedTexts();
        var list = (await Get("/api/pledges?lang=km")).EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        foreach (var id in SeedIds)
        {
            list[id].GetProperty("title").GetString().ShouldBe(texts[id].KhmerTitle);
            list[id].GetProperty("titleLanguage").GetString().ShouldBe("km");
            list[id].GetProperty("quoteLanguage").GetString().ShouldBe("km");
            list[id].GetProperty("original").GetProperty("title").GetString().ShouldBe(texts[id].Title);
        }
    }

    /// <summary>English in the originals, and the Khmer term each draft renders it with.</summary>
    private static readonly (string English, string Khmer)[] Glossary =
    [
        ("responsibility to protect", "ការទទួលខុសត្រូវក្នុងការការពារ"),
        ("R2P", "ការទទួលខុសត្រូវក្នុងការការពារ (R2P)"),
        ("mass atrocities", "អំពើឃោរឃៅទ្រង់ទ្រាយធំ"),
        ("ASEAN", "អាស៊ាន"),
        ("UN", "អង្គការសហប្រជាជាតិ"),
        ("focal point", "ចំណុចប្រសព្វ"),
        ("Southeast Asia", "អាស៊ីអាគ្នេយ៍"),
        ("Khmer Rouge", "របបខ្មែរក្រហម"),
        ("Rome", "ទីក្រុងរ៉ូម"),
        ("royal government of Cambodia", "រាជរដ្ឋាភិបាលកម្ពុជា"),
        ("Australia", "អូស្ត្រាលី"),
        ("the United States", "សហរដ្ឋអាមេរិក"),
        ("the European Union", "សហភាពអឺរ៉ុប"),
    ];

    /// <summary>The term as a word (or its plural); an abbreviation only in capitals, so "UN" is not "under".</summary>
    private static bool Mentions(string text, string term) =>
        Regex.IsMatch(text, $@"\b{Regex.Escape(term)}s?\b", term.Any(char.IsLower) ? RegexOptions.IgnoreCase : RegexOptions.None);

    [Fact]
    public void The_Khmer_drafts_render_each_name_and_term_of_the_original_with_one_Khmer_term_and_keep_its_sentences()
    {
        foreach (var (id, t) in SeedTexts())
            foreach (var (english, khmer) in new[] { (t.Title, t.KhmerTitle), (t.Quote, t.KhmerQuote) })
            {
                foreach (var term in Glossary.Where(g => Mentions(english, g.English)))
                    khmer.ShouldContain(term.Khmer, Case.Sensitive, $"{id}: '{term.English}' in \"{english}\"");
                khmer.Count(c => c == '។').ShouldBe(english.Count(c => c == '.'), $"{id}: one Khmer sentence per English one in \"{khmer}\"");
                (khmer.Contains("R2P", StringComparison.Ordinal)).ShouldBe(english.Contains("R2P", StringComparison.Ordinal), id);
            }
    }
}
