using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using CsvHelper;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Recording;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>Input that used to answer 500 or be stored as given, and output that could mislead or break.</summary>
public class InputAndOutputHardeningTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task ShouldBeProblemNaming(HttpResponseMessage response, string field)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Theory]
    [InlineData("/api/pledges?asOf=٢٠٢٠")]
    [InlineData("/api/pledges?asOf=2016%0A")]
    [InlineData("/api/tallies?asOf=２０２０")]
    [InlineData("/api/pledges/kh-r2p-1?asOf=٢٠٢٠")]
    public async Task A_date_in_other_digits_or_with_a_trailing_newline_is_a_400_naming_it(string url) =>
        await ShouldBeProblemNaming(await app.Anonymous().GetAsync(url, Ct), "asOf");

    [Fact]
    public async Task A_milestone_dated_in_Khmer_digits_is_the_same_date_stored_in_ASCII()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Workshop", description = "d", occurredOn = "២០១៩-១២", evidence = new[] { new { title = "Report" } } }, "\"1\""), Ct))
            .EnsureSuccessStatusCode();
        var pledge = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct);
        pledge.GetProperty("milestones")[0].GetProperty("occurredOn").GetString().ShouldBe("2019-12");
    }

    [Fact]
    public async Task An_as_of_date_and_a_limit_in_Khmer_digits_answer_as_their_ASCII_forms_do()
    {
        var id = await RegisterAsync(app.Staff());
        foreach (var (khmer, ascii) in new[] { ($"/api/pledges/{id}?asOf=២០១៦", $"/api/pledges/{id}?asOf=2016"),
                     ("/api/tallies?asOf=២០១៦-០៦", "/api/tallies?asOf=2016-06") })
        {
            var (a, b) = (await app.Anonymous().GetAsync(khmer, Ct), await app.Anonymous().GetAsync(ascii, Ct));
            a.StatusCode.ShouldBe(HttpStatusCode.OK, khmer);
            (await a.Content.ReadAsStringAsync(Ct)).ShouldBe(await b.Content.ReadAsStringAsync(Ct), khmer);
        }
        var page = await app.Anonymous().GetAsync("/api/pledges?limit=២", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetArrayLength().ShouldBe(2);
        await ShouldBeProblemNaming(await app.Anonymous().GetAsync("/api/pledges?limit=٢", Ct), "limit");
    }

    [Fact]
    public async Task A_milestone_dated_in_other_digits_is_a_400_and_nothing_is_appended()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Workshop", description = "d", occurredOn = "٢٠٢٠", evidence = new[] { new { title = "Report" } } }, "\"1\""), Ct);
        await ShouldBeProblemNaming(response, "occurredOn");
        (await app.Store.QuerySession().Events.FetchStreamStateAsync(id, Ct))!.Version.ShouldBe(1);
    }

    [Fact]
    public async Task A_control_character_in_a_title_is_a_400_naming_it_and_nothing_is_stored()
    {
        var id = NewId();
        var pledge = JsonSerializer.SerializeToNode(NewPledge(id))!.AsObject();
        pledge["title"] = "Appoint\u0007 a focal point";
        await ShouldBeProblemNaming(await app.Staff().PostAsJsonAsync("/api/pledges", pledge, Ct), "title");
        (await app.Store.QuerySession().Events.FetchStreamStateAsync(id, Ct)).ShouldBeNull();
    }

    [Theory]
    [InlineData("ZZ")]
    [InlineData("XK")]
    [InlineData("kh")]
    public async Task A_country_that_is_not_an_assigned_alpha_2_code_is_a_400_naming_it(string country)
    {
        var pledge = JsonSerializer.SerializeToNode(NewPledge(NewId()))!.AsObject();
        pledge["country"] = country;
        await ShouldBeProblemNaming(await app.Staff().PostAsJsonAsync("/api/pledges", pledge, Ct), "country");
    }

    [Fact]
    public async Task The_feed_is_valid_xml_even_when_a_stored_text_holds_a_control_character()
    {
        // As a store written before the rule would hold it: straight into the event store. (Not U+0000:
        // PostgreSQL's jsonb cannot hold it at all, so no stored text has one.)
        var id = NewId();
        await using (var session = app.Store.LightweightSession())
        {
            var registered = new PledgeRegistered(id, "Bell\u0007 and \u001f title", "Quote\u001b", "Actor", "KH", "2015-02", null, null, null, null,
                new SourceCitation("Source", "Publisher", null, null, null), "archive\u0008");
            session.Events.StartStream<Pledge>(id, (await EventChain.StampAsync(session, id, 0, [registered], TimeProvider.System, Ct)).ToArray<object>());
            await session.SaveChangesAsync(Ct);
        }
        foreach (var url in new[] { $"/feeds/pledges/{id}.atom", "/feeds/pledges.atom" })
        {
            var response = await app.Anonymous().GetAsync(url, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
            using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync(Ct));
            var feed = SyndicationFeed.Load(reader);
            if (url.Contains(id)) feed.Items.Single().Title.Text.ShouldContain("Bell\ufffd and \ufffd title");
        }
    }

    [Fact]
    public async Task Feed_entries_link_to_the_pledge_page_at_the_forwarded_public_host()
    {
        var id = await RegisterAsync(app.Staff());
        var request = new HttpRequestMessage(HttpMethod.Get, $"/feeds/pledges/{id}.atom");
        request.Headers.Add("X-Forwarded-Host", "tracker.example.org");
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await app.Anonymous().SendAsync(request, Ct);
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync(Ct));
        var feed = SyndicationFeed.Load(reader);
        var entry = feed.Items.Single();
        entry.Links.Single(l => l.RelationshipType == "alternate").Uri.ToString().ShouldBe($"https://tracker.example.org/pledges/{id}");
        entry.Links.Single(l => l.RelationshipType == "related").Uri.ToString().ShouldBe($"https://tracker.example.org/api/pledges/{id}/timeline");
        feed.Links.Single(l => l.RelationshipType == "self").Uri.ToString().ShouldBe($"https://tracker.example.org/feeds/pledges/{id}.atom");
    }

    [Fact]
    public async Task A_title_that_is_a_spreadsheet_formula_is_exported_as_text()
    {
        var id = NewId();
        var pledge = JsonSerializer.SerializeToNode(NewPledge(id))!.AsObject();
        pledge["title"] = "=HYPERLINK(\"https://evil.example\",\"click\")";
        (await app.Staff().PostAsJsonAsync("/api/pledges", pledge, Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var body = await app.Anonymous().GetStringAsync("/api/export/pledges.csv", Ct);
        using var csv = new CsvReader(new StringReader(body), CultureInfo.InvariantCulture);
        var row = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().Single(r => (string)r["Id"] == id);
        ((string)row["Title"]).ShouldBe("'=HYPERLINK(\"https://evil.example\",\"click\")");
    }

    [Fact]
    public async Task A_conditional_export_read_with_the_current_etag_is_a_304_without_a_body()
    {
        await app.SeedAsync();
        // Other tests write meanwhile: an ETag may be stale by the time it is sent back. A 200 is then
        // right only with a new ETag; until the store holds still long enough, try again.
        var notModified = false;
        for (var attempt = 0; attempt < 40 && !notModified; attempt++)
        {
            var first = await app.Anonymous().GetAsync("/api/export/pledges.csv", Ct);
            var etag = first.Headers.ETag!.Tag;
            var again = await app.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/export/pledges.csv")
            {
                Headers = { { "If-None-Match", etag } },
            }, Ct);
            if (again.StatusCode == HttpStatusCode.NotModified)
            {
                (await again.Content.ReadAsByteArrayAsync(Ct)).ShouldBeEmpty();
                again.Headers.ETag!.Tag.ShouldBe(etag);
                notModified = true;
            }
            else
            {
                again.StatusCode.ShouldBe(HttpStatusCode.OK);
                again.Headers.ETag!.Tag.ShouldNotBe(etag);
                await Task.Delay(250, Ct);
            }
        }
        notModified.ShouldBeTrue();
    }
}
