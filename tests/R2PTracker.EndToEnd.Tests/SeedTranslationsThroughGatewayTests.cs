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
}
