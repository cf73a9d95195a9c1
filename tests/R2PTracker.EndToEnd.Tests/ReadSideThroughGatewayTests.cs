using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>Issue 11's read side through the public entry: filters, search in both scripts, paging by Link, the series.</summary>
public class ReadSideThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task RegisterAsync(string id, string title, string theme)
    {
        using var admin = deployment.Gateway();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", deployment.AdminToken);
        var response = await admin.PostAsJsonAsync("/api/pledges", new
        {
            id, title, quote = "We will do it.", actor = "A government", country = "KH", madeOn = "2016-03", theme,
            source = new { title = "A newspaper", publisher = "A publisher" },
        }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Filters_search_and_paging_work_through_the_gateway()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var theme = $"Theme {run}";
        var ids = Enumerable.Range(0, 5).Select(i => $"e2e-read-{run}-{i}").ToList();
        for (var i = 0; i < 4; i++) await RegisterAsync(ids[i], $"Training of judges {run} number {i}", theme);
        await RegisterAsync(ids[4], $"ការបណ្តុះបណ្តាលចៅក្រម {run}", theme);
        var gateway = deployment.Gateway();

        // Walk every page of the theme by the Link header, through the gateway.
        var seen = new List<string>();
        string? next = $"/api/pledges?theme={Uri.EscapeDataString(theme)}&limit=2";
        while (next is not null)
        {
            var page = await gateway.GetAsync(next, Ct);
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            page.Headers.GetValues("X-Total-Count").Single().ShouldBe("5");
            var items = await page.Content.ReadFromJsonAsync<JsonElement>(Ct);
            items.GetArrayLength().ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(items.EnumerateArray().Select(p => p.GetProperty("id").GetString()!));
            next = page.Headers.TryGetValues("Link", out var links)
                ? links.Single().Split(';')[0].Trim().TrimStart('<').TrimEnd('>')
                : null;
        }
        seen.ShouldBe(ids.Order(StringComparer.Ordinal));

        // Search: an English word and a Khmer word (no spaces between Khmer words), each with the run's tag.
        var english = await gateway.GetFromJsonAsync<JsonElement>($"/api/pledges?q={Uri.EscapeDataString($"judges {run}")}", Ct);
        english.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ShouldBe(ids[..4]);
        var khmer = await gateway.GetFromJsonAsync<JsonElement>($"/api/pledges?q={Uri.EscapeDataString($"ចៅក្រម {run}")}", Ct);
        khmer.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ShouldBe([ids[4]]);

        // An unknown parameter is a problem naming it, not a cached page.
        var junk = await gateway.GetAsync($"/api/pledges?theme={run}&colour=red", Ct);
        junk.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        junk.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await junk.Content.ReadAsStringAsync(Ct)).ShouldContain("colour");
    }

    [Fact]
    public async Task Each_point_of_the_series_through_the_gateway_equals_the_tallies_as_of_its_date()
    {
        var gateway = deployment.Gateway();
        var series = await gateway.GetFromJsonAsync<JsonElement>("/api/tallies/series?from=2015&to=2018&interval=year", Ct);
        series.GetArrayLength().ShouldBe(4);
        foreach (var point in series.EnumerateArray())
        {
            var date = point.GetProperty("date").GetString();
            var tallies = await gateway.GetFromJsonAsync<JsonElement>($"/api/tallies?asOf={date}", Ct);
            point.GetProperty("total").GetInt32().ShouldBe(tallies.GetProperty("total").GetInt32(), date);
            point.GetProperty("byStatus").GetRawText().ShouldBe(tallies.GetProperty("byStatus").GetRawText(), date);
        }
        series[1].GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBeGreaterThanOrEqualTo(1); // the focal point, 2016
    }
}
