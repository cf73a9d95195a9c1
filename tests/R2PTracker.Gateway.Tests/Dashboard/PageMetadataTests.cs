using System.Net;
using System.Text.RegularExpressions;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>
/// What search engines and shared links read from a page, in its language: a description, og: tags, the
/// same page in the other language (hreflang), and a favicon.
/// </summary>
public partial class PageMetadataTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Pledge = "kh-r2p-metadata";

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await GatewayVariant.StartAsync(app);
        _gateway.Backend.Answers[$"/api/pledges/{Pledge}"] = new BackendAnswer(200,
            $$"""{"id":"{{Pledge}}","title":"Appoint a national focal point","quote":"q","status":"Kept","progress":100,"version":3,"milestoneCount":0}""");
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<string> HtmlAsync(string url)
    {
        var response = await _gateway.Client().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
    }

    private static string? Meta(string html, string attribute, string name) =>
        Regex.Match(html, $"""<meta {attribute}="{Regex.Escape(name)}" content="([^"]*)" />""") is { Success: true } m ? m.Groups[1].Value : null;

    [Theory]
    [InlineData("/", "en", "Cambodia's public commitments")]
    [InlineData("/?lang=km", "km", "ការប្តេជ្ញាជាសាធារណៈរបស់កម្ពុជា")]
    [InlineData("/sign-in?lang=km", "km", "ការប្តេជ្ញាជាសាធារណៈរបស់កម្ពុជា")]
    [InlineData("/verify", "en", "Cambodia's public commitments")]
    public async Task Every_page_describes_itself_in_its_language(string url, string language, string description)
    {
        var html = await HtmlAsync(url);
        Meta(html, "name", "description").ShouldStartWith(description);
        Meta(html, "property", "og:description").ShouldStartWith(description);
        Meta(html, "property", "og:locale").ShouldBe(language == "km" ? "km_KH" : "en_US");
        Meta(html, "property", "og:title").ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_pledge_page_describes_the_pledge_and_its_status_in_the_reader_s_language()
    {
        Meta(await HtmlAsync($"/pledges/{Pledge}"), "name", "description").ShouldBe(
            "Appoint a national focal point — status: Promise kept. The evidence and full history of this pledge.");
        var khmer = Meta(await HtmlAsync($"/pledges/{Pledge}?lang=km"), "name", "description");
        khmer.ShouldStartWith("Appoint a national focal point — ស្ថានភាព៖ ");
        khmer.ShouldContain("បានរក្សាការសន្យា");
    }

    [Fact]
    public async Task Each_page_names_itself_in_the_other_language_and_a_default_keeping_its_other_parameters()
    {
        var html = await HtmlAsync("/?q=focal&lang=km");
        var alternates = AlternateLink().Matches(html).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        alternates.Keys.Order().ShouldBe(["en", "km", "x-default"]);
        alternates["km"].ShouldEndWith("/?q=focal&lang=km");
        alternates["en"].ShouldEndWith("/?q=focal&lang=en");
        alternates["x-default"].ShouldEndWith("/?q=focal");
        alternates.Values.ShouldAllBe(href => href.StartsWith("http://") || href.StartsWith("https://"));
        Meta(html, "property", "og:url").ShouldBe(alternates["km"]);
    }

    [Theory]
    [InlineData("/", "/feeds/pledges.atom")]
    [InlineData("/?lang=km", "/feeds/pledges.atom?lang=km")]
    [InlineData($"/pledges/{Pledge}?lang=km", "/feeds/pledges.atom?lang=km")]
    public async Task The_feed_a_page_announces_and_links_is_in_the_page_s_language(string url, string feed)
    {
        var html = await HtmlAsync(url);
        html.ShouldContain($"""type="application/atom+xml" title=""");
        Regex.Match(html, """<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)" """).Groups[1].Value.ShouldBe(feed);
        html.ShouldContain($"""<a href="{feed}">""");
    }

    [Theory]
    [InlineData("/favicon.ico", "image/x-icon")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public async Task The_favicon_is_served(string url, string type)
    {
        var response = await _gateway.Client().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(type);
        (await response.Content.ReadAsByteArrayAsync(Ct)).Length.ShouldBeGreaterThan(100);
        (await HtmlAsync("/")).ShouldContain($"""<link rel="icon" href="{url}""");
    }

    [GeneratedRegex("""<link rel="alternate" hreflang="([^"]+)" href="([^"]+)" />""")]
    private static partial Regex AlternateLink();
}
