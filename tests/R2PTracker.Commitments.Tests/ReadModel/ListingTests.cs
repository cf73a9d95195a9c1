using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Commitments.Tests.Integration;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.ReadModel;

/// <summary>The list, search, tallies and series over the read model. Each test works on a theme of its
/// own, as test classes share one database.</summary>
public class ListingTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> RegisterAsync(HttpClient staff, string theme, string title, string quote = "A quote", string madeOn = "2015-02")
    {
        var id = NewId();
        var response = await staff.PostAsJsonAsync("/api/pledges", new
        {
            id, title, quote, actor = "Royal Government of Cambodia", country = "KH", madeOn, theme,
            source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" },
        }, Ct);
        response.EnsureSuccessStatusCode();
        return id;
    }

    private static string NewTheme() => "theme-" + Guid.NewGuid().ToString("N")[..8];

    private static List<string> Ids(JsonElement list) => list.EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task Walking_the_pages_by_cursor_returns_every_match_once_with_the_total_and_slim_items()
    {
        var staff = app.Staff();
        var theme = NewTheme();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++) ids.Add(await RegisterAsync(staff, theme, $"Pledge {6 - i}"));

        var seen = new List<string>();
        string? url = $"/api/pledges?theme={theme}&limit=3&sort=title";
        var pages = 0;
        while (url is not null)
        {
            var response = await app.Anonymous().GetAsync(url, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues("X-Total-Count").Single().ShouldBe("7");
            var page = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            foreach (var item in page.EnumerateArray())
            {
                item.TryGetProperty("milestones", out _).ShouldBeFalse();
                item.GetProperty("milestoneCount").GetInt32().ShouldBe(0);
            }
            seen.AddRange(Ids(page));
            url = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('>')[0].TrimStart('<') : null;
            if (url is not null) link!.Single().ShouldEndWith("rel=\"next\"");
            pages++;
        }
        pages.ShouldBe(3);
        // Sorted by title: "Pledge 0" was registered last.
        seen.ShouldBe(Enumerable.Reverse(ids).ToList());
    }

    [Fact]
    public async Task Search_finds_English_and_Khmer_words_in_titles_quotes_and_milestones()
    {
        var staff = app.Staff();
        var theme = NewTheme();
        var khmer = await RegisterAsync(staff, theme, "ការទទួលខុសត្រូវក្នុងការការពារ", quote: "រាជរដ្ឋាភិបាលកម្ពុជា");
        var english = await RegisterAsync(staff, theme, "Appoint a focal point", quote: "within the next few months");
        (await staff.SendAsync(Post($"/api/pledges/{english}/milestones",
            new { title = "Outreach at Svay Rieng University", occurredOn = "2019-12", evidence = new[] { new { title = "CICP training report" } } }, "\"1\""), Ct))
            .EnsureSuccessStatusCode();

        Ids(await Get($"/api/pledges?theme={theme}&q=ខុសត្រូវ")).ShouldBe([khmer]);
        Ids(await Get($"/api/pledges?theme={theme}&q={Uri.EscapeDataString("កម្ពុជា")}")).ShouldBe([khmer]);
        Ids(await Get($"/api/pledges?theme={theme}&q=svay+rieng")).ShouldBe([english]);
        Ids(await Get($"/api/pledges?theme={theme}&q=training")).ShouldBe([english]);
        Ids(await Get($"/api/pledges?theme={theme}&q=months")).ShouldBe([english]);
        Ids(await Get($"/api/pledges?theme={theme}&q=nowhere")).ShouldBeEmpty();
        // As of a day before the milestone happened, the pledge is still found by today's text.
        Ids(await Get($"/api/pledges?theme={theme}&q=svay&asOf=2016")).ShouldBe([english]);
    }

    [Fact]
    public async Task Filters_combine_with_as_of_and_tallies_count_the_same_pledges()
    {
        var staff = app.Staff();
        var theme = NewTheme();
        var kept = await RegisterAsync(staff, theme, "Kept one");
        await RegisterAsync(staff, theme, "Open one");
        (await staff.SendAsync(Post($"/api/pledges/{kept}/status", StatusChange("Kept", occurredOn: "2016"), "\"1\""), Ct)).EnsureSuccessStatusCode();

        Ids(await Get($"/api/pledges?theme={theme}&status=Kept")).ShouldBe([kept]);
        Ids(await Get($"/api/pledges?theme={theme}&status=Kept&status=Broken")).ShouldBe([kept]);
        Ids(await Get($"/api/pledges?theme={theme}&status=Kept&asOf=2015-12-31")).ShouldBeEmpty();
        Ids(await Get($"/api/pledges?theme={theme}&status=Kept&asOf=2016-12-31")).ShouldBe([kept]);
        (await Get($"/api/pledges?theme={theme}&overdue=true")).GetArrayLength().ShouldBe(0);

        var tallies = await Get($"/api/tallies?theme={theme}&asOf=2016-12-31");
        tallies.GetProperty("total").GetInt32().ShouldBe(2);
        tallies.GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBe(1);
        (await Get($"/api/tallies?theme={theme}&asOf=2015-12-31")).GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Each_point_of_a_series_equals_the_tallies_as_of_its_date()
    {
        var staff = app.Staff();
        var theme = NewTheme();
        var kept = await RegisterAsync(staff, theme, "Kept one", madeOn: "2015-02");
        await RegisterAsync(staff, theme, "Later one", madeOn: "2017-06");
        (await staff.SendAsync(Post($"/api/pledges/{kept}/status", StatusChange("Kept", occurredOn: "2016-03"), "\"1\""), Ct)).EnsureSuccessStatusCode();

        foreach (var axis in new[] { "occurred", "recorded" })
        {
            var series = await Get($"/api/tallies/series?theme={theme}&from=2014&to=2018&interval=quarter&axis={axis}");
            series.GetArrayLength().ShouldBe(20);
            foreach (var point in series.EnumerateArray())
            {
                var date = point.GetProperty("date").GetString();
                var tallies = await Get($"/api/tallies?theme={theme}&asOf={date}&axis={axis}");
                point.GetProperty("total").GetInt32().ShouldBe(tallies.GetProperty("total").GetInt32(), $"{axis} {date}");
                point.GetProperty("overdue").GetInt32().ShouldBe(tallies.GetProperty("overdue").GetInt32());
                JsonSerializer.Serialize(point.GetProperty("byStatus")).ShouldBe(JsonSerializer.Serialize(tallies.GetProperty("byStatus")));
            }
        }
        var occurred = await Get($"/api/tallies/series?theme={theme}&from=2016-03&to=2016-03&interval=month");
        occurred[0].GetProperty("date").GetString().ShouldBe("2016-03-31");
        occurred[0].GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBe(1);
    }

    [Theory]
    [InlineData("/api/pledges?colour=red", "colour")]
    [InlineData("/api/pledges?status=Done", "status")]
    [InlineData("/api/pledges?limit=501", "limit")]
    [InlineData("/api/pledges?limit=0", "limit")]
    [InlineData("/api/pledges?sort=quote", "sort")]
    [InlineData("/api/pledges?cursor=bm9wZQ", "cursor")]
    [InlineData("/api/pledges?overdue=maybe", "overdue")]
    [InlineData("/api/pledges?theme=a&theme=b", "theme")]
    [InlineData("/api/pledges/kh-r2p-1?status=Kept", "status")]
    [InlineData("/api/tallies?sort=id", "sort")]
    [InlineData("/api/tallies/series?from=2015", "to")]
    [InlineData("/api/tallies/series?from=2015&to=2014", "to")]
    [InlineData("/api/tallies/series?from=1950&to=2026&interval=month", "to")]
    [InlineData("/api/tallies/series?from=2015&to=2016&interval=week", "interval")]
    public async Task A_bad_or_unknown_parameter_is_a_400_problem_naming_it(string url, string field)
    {
        var response = await app.Anonymous().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    private async Task<JsonElement> Get(string url)
    {
        var response = await app.Anonymous().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
