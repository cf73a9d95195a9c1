using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The seed's Khmer drafts as a reader meets them: on the pledge page and in the list read in Khmer.</summary>
public class SeedTranslationsThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_seed_pledge_page_shows_the_Khmer_draft_beside_the_original_as_unofficial_and_awaiting_review()
    {
        using var reader = deployment.Gateway();
        var html = WebUtility.HtmlDecode(await reader.GetStringAsync("/pledges/kh-r2p-1", Ct));
        html.ShouldContain("Promote the responsibility to protect and prevent mass atrocities in Southeast Asia");
        html.ShouldContain("លើកកម្ពស់ការទទួលខុសត្រូវក្នុងការការពារ");
        html.ShouldContain("Khmer translation (unofficial) by R2P Tracker (machine-assisted draft, awaiting review)");
    }

    [Fact]
    public async Task In_Khmer_the_list_gives_each_seed_pledge_its_Khmer_title()
    {
        using var reader = deployment.Gateway();
        var list = await reader.GetFromJsonAsync<JsonElement>("/api/pledges?lang=km", Ct);
        var seeded = list.EnumerateArray().Where(p => p.GetProperty("id").GetString()!.StartsWith("kh-r2p-", StringComparison.Ordinal)).ToList();
        seeded.Count.ShouldBe(7);
        seeded.ShouldAllBe(p => p.GetProperty("titleLanguage").GetString() == "km");
    }

    [Fact]
    public async Task The_Khmer_dashboard_list_shows_the_Khmer_title_marked_as_Khmer_and_as_an_unofficial_translation()
    {
        using var reader = deployment.Gateway();
        var html = WebUtility.HtmlDecode(await reader.GetStringAsync("/?lang=km", Ct));
        html.ShouldContain("""href="/pledges/kh-r2p-1?lang=km" lang="km">លើកកម្ពស់ការទទួលខុសត្រូវក្នុងការការពារ""");
        html.ShouldContain("ការបកប្រែជាភាសាខ្មែរ");
        var english = WebUtility.HtmlDecode(await reader.GetStringAsync("/?lang=en", Ct));
        english.ShouldContain("""href="/pledges/kh-r2p-1?lang=en">Promote the responsibility to protect""");
    }

    [Fact]
    public async Task A_word_of_a_Khmer_draft_finds_its_seed_pledge_and_the_Khmer_feed_names_it_in_Khmer()
    {
        using var reader = deployment.Gateway();
        var found = await reader.GetFromJsonAsync<JsonElement>($"/api/pledges?q={Uri.EscapeDataString("ការពារ")}&lang=km", Ct);
        found.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ShouldContain("kh-r2p-1");
        var feed = await reader.GetStringAsync("/feeds/pledges/kh-r2p-1.atom?lang=km", Ct);
        feed.ShouldContain("xml:lang=\"km\"");
        feed.ShouldContain("លើកកម្ពស់ការទទួលខុសត្រូវក្នុងការការពារ");
    }
}
