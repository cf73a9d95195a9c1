using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>
/// The output cache holds one entry per path and the parameters the route reads: a junk parameter
/// neither misses the cache (feeds, exports, timelines) nor fills it (routes that refuse it).
/// </summary>
public class CacheKeyTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpResponseMessage> GetAsync(string url, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        var response = await _gateway.Client().SendAsync(request, Ct);
        return response;
    }

    [Theory]
    [InlineData("/api/export/events.ndjson")]
    [InlineData("/api/export/pledges.csv")]
    [InlineData("/feeds/pledges.atom")]
    [InlineData("/feeds/pledges/kh-r2p-2.atom")]
    [InlineData("/api/pledges/kh-r2p-3/timeline")]
    public async Task A_parameter_the_route_does_not_read_is_served_from_the_same_entry(string path)
    {
        (await GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK);
        for (var r = 0; r < 3; r++)
        {
            var again = await GetAsync($"{path}?r={r}");
            again.StatusCode.ShouldBe(HttpStatusCode.OK);
            again.Headers.Age.ShouldNotBeNull($"?r={r} is served from the cache");
        }
        _gateway.Backend.Count(path).ShouldBe(1, "the export is built once for the store's version, not once per URL");
    }

    [Theory]
    [InlineData("/feeds/pledges.atom")]
    [InlineData("/feeds/pledges/kh-r2p-2.atom")]
    public async Task A_feed_in_another_language_is_an_entry_of_its_own(string path)
    {
        (await GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync($"{path}?lang=km")).Headers.Age.ShouldBeNull("the Khmer feed is not the English one");
        (await GetAsync($"{path}?lang=km&r=1")).Headers.Age.ShouldNotBeNull("the Khmer feed is cached, and junk is left out of its key");
        _gateway.Backend.Count(path, "?lang=km").ShouldBe(1);
        // A language commitments refuses is not the English feed: it goes to commitments, to be refused.
        await GetAsync($"{path}?lang=fr");
        _gateway.Backend.Count(path, "?lang=fr").ShouldBe(1);
    }

    [Fact]
    public async Task An_unknown_parameter_on_an_api_read_goes_past_the_cache_and_makes_no_entry()
    {
        (await GetAsync("/api/pledges?status=Kept")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync("/api/pledges?status=Kept")).Headers.Age.ShouldNotBeNull();
        _gateway.Backend.Count("/api/pledges", "?status=Kept").ShouldBe(1);

        // commitments refuses it (here the stand-in answers anyway): never stored, so never served stale.
        (await GetAsync("/api/pledges?status=Kept&r=1")).Headers.Age.ShouldBeNull();
        (await GetAsync("/api/pledges?status=Kept&r=1")).Headers.Age.ShouldBeNull();
        _gateway.Backend.Count("/api/pledges", "?status=Kept&r=1").ShouldBe(2);
    }

    [Theory]
    [InlineData("/?r=123", "r")]
    [InlineData("/?status=Kept&utm_source=mail", "utm_source")]
    [InlineData("/pledges/kh-r2p-1?r=5", "r")]
    [InlineData("/pledges/kh-r2p-1?asOf=2020&q=focal", "q")]
    public async Task A_dashboard_page_refuses_a_parameter_it_does_not_read(string url, string parameter)
    {
        var page = await GetAsync(url);
        page.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync(Ct));
        html.ShouldContain($"'{parameter}' is not a parameter of this page");

        var problem = await GetAsync(url, "application/json");
        problem.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(await problem.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue();

        (await GetAsync(url)).Headers.Age.ShouldBeNull("a refusal is not cached");
    }

    [Fact]
    public async Task The_pages_it_reads_are_still_served_and_cached()
    {
        var first = await GetAsync("/?status=Kept&sort=title");
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync("/?status=Kept&sort=title")).Headers.Age.ShouldNotBeNull();
        (await GetAsync("/pledges/kh-r2p-6?asOf=2020")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync("/pledges/kh-r2p-6?asOf=2020")).Headers.Age.ShouldNotBeNull();
    }
}
