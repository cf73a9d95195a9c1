using System.Net;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard in Khmer or English: the switch (a cookie) beats <c>?lang=</c>, which beats
/// <c>Accept-Language</c>, which beats English; the cache keeps the two languages apart.
/// </summary>
public class LanguageTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private const string KhmerCookie = "c%3Dkm-KH%7Cuic%3Dkm";
    private const string EnglishCookie = "c%3Den%7Cuic%3Den";

    // "Current state" and "Not yet rated", as the list page shows them.
    private const string KhmerHeading = "ស្ថានភាពបច្ចុប្បន្ន";
    private const string KhmerNotYetRated = "មិនទាន់វាយតម្លៃ";

    private async Task<(HttpResponseMessage Response, string Html)> GetAsync(string url, string? cookie = null, string? acceptLanguage = null,
        HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (cookie is not null) request.Headers.Add("Cookie", ".AspNetCore.Culture=" + cookie);
        if (acceptLanguage is not null) request.Headers.Add("Accept-Language", acceptLanguage);
        var response = await (client ?? _gateway.Client()).SendAsync(request, Ct);
        return (response, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)));
    }

    private static void ShouldBeKhmer(string html)
    {
        html.ShouldContain("""<html lang="km">""");
        html.ShouldContain(KhmerHeading);
        html.ShouldContain(KhmerNotYetRated);
        html.ShouldNotContain("Current state");
    }

    private static void ShouldBeEnglish(string html)
    {
        html.ShouldContain("""<html lang="en">""");
        html.ShouldContain("Current state");
        html.ShouldContain("Not yet rated");
        html.ShouldNotContain(KhmerHeading);
    }

    [Fact]
    public async Task Without_a_choice_the_list_is_in_English()
    {
        var (response, html) = await GetAsync("/");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        ShouldBeEnglish(html);
    }

    [Fact]
    public async Task The_query_parameter_gives_the_page_in_Khmer()
    {
        var (response, html) = await GetAsync("/?lang=km");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        ShouldBeKhmer(html);
    }

    [Fact]
    public async Task The_cookie_gives_the_page_in_Khmer() => ShouldBeKhmer((await GetAsync("/", cookie: KhmerCookie)).Html);

    [Theory]
    [InlineData("km")]
    [InlineData("km-KH")]
    [InlineData("fr;q=1, km-KH;q=0.8, en;q=0.5")]
    public async Task Accept_Language_gives_the_page_in_Khmer(string header) => ShouldBeKhmer((await GetAsync("/", acceptLanguage: header)).Html);

    [Theory]
    [InlineData("fr")]
    [InlineData("en-GB, km;q=0.5")]
    public async Task Accept_Language_without_Khmer_first_gives_English(string header) => ShouldBeEnglish((await GetAsync("/", acceptLanguage: header)).Html);

    [Fact]
    public async Task The_cookie_beats_the_query_parameter_which_beats_Accept_Language()
    {
        ShouldBeEnglish((await GetAsync("/?lang=km", cookie: EnglishCookie, acceptLanguage: "km")).Html);
        ShouldBeKhmer((await GetAsync("/?lang=en", cookie: KhmerCookie, acceptLanguage: "en")).Html);
        ShouldBeEnglish((await GetAsync("/?lang=en", acceptLanguage: "km")).Html);
        ShouldBeKhmer((await GetAsync("/?lang=km", acceptLanguage: "en")).Html);
    }

    [Theory]
    [InlineData("/?lang=fr")]
    [InlineData("/?lang=KM")]
    [InlineData("/pledges/kh-r2p-1?lang=km-KH")]
    [InlineData("/verify?lang=")]
    public async Task A_language_the_site_does_not_have_is_a_400_naming_the_two_it_has(string url)
    {
        var (response, html) = await GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        html.ShouldContain("""<html lang="en">""");
        html.ShouldContain("'km' (Khmer) and 'en' (English)");
    }

    [Fact]
    public async Task Every_page_takes_the_parameter_and_is_in_Khmer_with_it()
    {
        foreach (var url in new[] { "/pledges/kh-r2p-1?lang=km", "/verify?lang=km", "/sign-in?lang=km", "/pledges/nowhere?lang=km" })
        {
            var (response, html) = await GetAsync(url);
            response.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.NotFound);
            html.ShouldContain("""<html lang="km">""", customMessage: url);
            html.ShouldContain("ការប្តេជ្ញាទាំងអស់", customMessage: url); // "All pledges", in the header
        }
    }

    [Fact]
    public async Task Links_keep_a_language_given_by_the_query_parameter()
    {
        var (_, html) = await GetAsync("/?lang=km");
        html.ShouldContain("""href="/verify?lang=km" """.TrimEnd());
        html.ShouldContain("""href="/sign-in?lang=km" """.TrimEnd());
        html.ShouldContain("""<input type="hidden" name="lang" value="km" />""");
        // The switch comes back to the page without the parameter it now overrides.
        html.ShouldContain("""<input type="hidden" name="returnUrl" value="/" />""");

        // Without it, the page's own links carry none (only its hreflang alternates, which are absolute, name
        // languages, and the feed, which is a document in the page's language).
        var (_, plain) = await GetAsync("/", acceptLanguage: "km");
        System.Text.RegularExpressions.Regex.IsMatch(plain, "(href|action)=\"/(?!feeds/)[^\"]*lang=km").ShouldBeFalse();
        plain.ShouldNotContain("""name="lang" value="km" />""");
    }

    [Fact]
    public async Task The_scripts_messages_come_in_the_pages_language()
    {
        var (_, khmer) = await GetAsync("/?lang=km");
        khmer.ShouldContain("""data-text-saving="កំពុងរក្សាទុក…" """.TrimEnd());
        khmer.ShouldContain("""data-text-live-updated="ការប្តេជ្ញានេះទើបតែត្រូវបានធ្វើបច្ចុប្បន្នភាព។" """.TrimEnd());
        var (_, english) = await GetAsync("/");
        english.ShouldContain("""data-text-saving="Saving…" """.TrimEnd());
    }

    [Fact]
    public async Task Partial_dates_are_shown_as_month_and_year_in_the_readers_language()
    {
        _gateway.Backend.Answers["/api/pledges/kh-r2p-dates"] = new BackendAnswer(200,
            """{"id":"kh-r2p-dates","title":"A pledge","status":"Kept","progress":100,"version":3,"milestoneCount":0,"madeOn":"2019-12","targetDate":"2021-03-15","statusSince":"2020"}""");

        var (_, english) = await GetAsync("/pledges/kh-r2p-dates");
        english.ShouldContain("December 2019");
        english.ShouldContain("15 March 2021");
        english.ShouldContain("Promise kept");

        var (_, khmer) = await GetAsync("/pledges/kh-r2p-dates?lang=km");
        khmer.ShouldContain("ធ្នូ 2019");
        khmer.ShouldContain("15 មីនា 2021");
        khmer.ShouldContain("បានរក្សាការសន្យា");
        khmer.ShouldContain("A pledge", customMessage: "the pledge's own text is data, shown as it is");
    }

    [Fact]
    public async Task The_switch_sets_the_cookie_and_returns_to_the_page_it_was_pressed_on()
    {
        var client = _gateway.Client();
        var response = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["lang"] = "km", ["returnUrl"] = "/pledges/kh-r2p-1?asOf=2020",
        }), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe("/pledges/kh-r2p-1?asOf=2020");
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        cookie.ShouldStartWith(".AspNetCore.Culture=" + KhmerCookie);
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=lax", Case.Insensitive);

        ShouldBeKhmer((await GetAsync("/", client: client)).Html);
        ShouldBeKhmer((await GetAsync("/?lang=en", client: client)).Html);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("")]
    public async Task The_switch_returns_only_to_a_page_of_this_site(string returnUrl)
    {
        var response = await _gateway.Client().PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["lang"] = "en", ["returnUrl"] = returnUrl,
        }), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe("/");
    }

    [Fact]
    public async Task The_switch_refuses_a_language_the_site_does_not_have()
    {
        var response = await _gateway.Client().PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["lang"] = "fr", ["returnUrl"] = "/",
        }), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.Contains("Set-Cookie").ShouldBeFalse();
    }

    [Fact]
    public async Task The_cache_keeps_each_language_of_a_page_apart()
    {
        const string url = "/?q=cache-languages";
        var (first, english) = await GetAsync(url);
        ShouldBeEnglish(english);
        first.Headers.Vary.ShouldContain("Accept-Language");
        first.Headers.Vary.ShouldContain("Cookie");

        var (_, byHeader) = await GetAsync(url, acceptLanguage: "km");
        ShouldBeKhmer(byHeader);
        var (_, byCookie) = await GetAsync(url, cookie: KhmerCookie);
        ShouldBeKhmer(byCookie);
        var (again, englishAgain) = await GetAsync(url, acceptLanguage: "en");
        ShouldBeEnglish(englishAgain);

        again.Headers.Age.ShouldNotBeNull("the English page is served from the cache");
        _gateway.Backend.Count("/api/pledges", "?q=cache-languages&lang=en").ShouldBe(1, "one entry per language, each read once");
        _gateway.Backend.Count("/api/pledges", "?q=cache-languages&lang=km").ShouldBe(1, "the list is read in the reader's language");
    }
}
