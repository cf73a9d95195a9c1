extern alias verify;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Xml;
using CsvHelper;
using verify::R2PTracker.Verify;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

public class FeedAndExportTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<SyndicationFeed> Feed(string url)
    {
        var response = await app.Anonymous().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/atom+xml");
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync(Ct));
        return SyndicationFeed.Load(reader);
    }

    private static void DigestMatches(HttpResponseMessage response, byte[] body)
    {
        var sha = SHA256.HashData(body);
        response.Headers.ETag!.Tag.ShouldBe($"\"sha256-{Convert.ToHexStringLower(sha)}\"");
        response.Headers.GetValues("Digest").Single().ShouldBe($"sha-256={Convert.ToBase64String(sha)}");
    }

    [Fact]
    public async Task A_pledge_feed_is_valid_atom_with_one_entry_per_change_newest_first_and_stable_ids()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), "\"1\""), Ct)).EnsureSuccessStatusCode();

        var feed = await Feed($"/feeds/pledges/{id}.atom");
        var items = feed.Items.ToList();
        items.Count.ShouldBe(2);
        items[0].Title.Text.ShouldContain("Stalled");
        items[1].Title.Text.ShouldContain("Pledge registered");
        var events = await app.Store.QuerySession().Events.FetchStreamAsync(id, token: Ct);
        items.Select(i => i.Id).ShouldBe([$"urn:uuid:{events[1].Id:D}", $"urn:uuid:{events[0].Id:D}"]);
        (await Feed($"/feeds/pledges/{id}.atom")).Items.Select(i => i.Id).ShouldBe(items.Select(i => i.Id));

        var all = await Feed("/feeds/pledges.atom");
        all.Items.Select(i => i.Id).ShouldContain($"urn:uuid:{events[1].Id:D}");
        all.Items.Select(i => i.LastUpdatedTime).ShouldBeInOrder(SortDirection.Descending);
        all.Items.ShouldAllBe(i => !i.Title.Text.Contains("Tombstone"));
        (await app.Anonymous().GetAsync("/feeds/pledges/nope-nope.atom", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<XmlDocument> FeedXml(string url)
    {
        var response = await app.Anonymous().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var xml = new XmlDocument();
        xml.LoadXml(await response.Content.ReadAsStringAsync(Ct));
        return xml;
    }

    [Fact]
    public async Task With_lang_km_a_feed_is_in_khmer_names_the_pledge_by_its_khmer_title_and_links_each_language()
    {
        const string khmerTitle = "តែងតាំងមជ្ឈមណ្ឌលទំនាក់ទំនងជាតិ";
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), "\"1\""), Ct)).EnsureSuccessStatusCode();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/translations",
            new { target = "title", language = "km", text = khmerTitle, translator = "Sok Dara", kind = "unofficial" }, "\"2\""), Ct)).EnsureSuccessStatusCode();

        var khmer = await Feed($"/feeds/pledges/{id}.atom?lang=km");
        khmer.Language.ShouldBe("km");
        khmer.Title.Text.ShouldBe($"R2P Tracker — {khmerTitle}");
        var items = khmer.Items.ToList();
        items[0].Title.Text.ShouldBe($"{khmerTitle} — បានបន្ថែមការបកប្រែ៖ ចំណងជើង ត្រូវបានបកប្រែជាភាសាខ្មែរ ដោយ Sok Dara (ក្រៅផ្លូវការ)");
        items[1].Title.Text.ShouldBe($"{khmerTitle} — បានវាយតម្លៃស្ថានភាព៖ មិនទាន់វាយតម្លៃ → ជាប់គាំង");
        items[1].Links.Single(l => l.RelationshipType == "alternate").Uri.PathAndQuery.ShouldBe($"/pledges/{id}?lang=km");
        var document = await FeedXml($"/feeds/pledges/{id}.atom?lang=km");
        document.DocumentElement!.GetAttribute("xml:lang").ShouldBe("km");
        var atom = new XmlNamespaceManager(document.NameTable);
        atom.AddNamespace("a", "http://www.w3.org/2005/Atom");
        document.SelectSingleNode("/a:feed/a:link[@rel='alternate' and @hreflang='en']/@href", atom)!.Value.ShouldEndWith($"/feeds/pledges/{id}.atom");

        var english = await Feed($"/feeds/pledges/{id}.atom");
        english.Language.ShouldBe("en");
        english.Items.First().Title.Text.ShouldContain("Translation added: The title translated into km by Sok Dara (unofficial)");
        english.Items.ShouldAllBe(i => !i.Title.Text.Contains(khmerTitle));
        (await FeedXml($"/feeds/pledges/{id}.atom")).SelectSingleNode("/a:feed/a:link[@hreflang='km']/@href", atom)!.Value
            .ShouldEndWith($"/feeds/pledges/{id}.atom?lang=km");
        (await Feed("/feeds/pledges.atom?lang=km")).Title.Text.ShouldBe("R2P Tracker — ការប្តេជ្ញាទាំងអស់");

        foreach (var url in new[] { "/feeds/pledges.atom?lang=fr", $"/feeds/pledges/{id}.atom?lang=٢" })
        {
            var refused = await app.Anonymous().GetAsync(url, Ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, url);
            (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("lang", out _).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task Text_that_looks_like_html_is_escaped_in_the_feed()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/details", new { title = "<b>bold</b> & co", reason = "r" }, "\"1\""), Ct)).EnsureSuccessStatusCode();
        var xml = await app.Anonymous().GetStringAsync($"/feeds/pledges/{id}.atom", Ct);
        xml.ShouldNotContain("<b>bold</b>");
        (await Feed($"/feeds/pledges/{id}.atom")).Title.Text.ShouldContain("<b>bold</b> & co");
    }

    [Fact]
    public async Task The_csv_export_parses_with_an_ogp_completion_column_and_a_matching_digest()
    {
        await app.SeedAsync();
        var response = await app.Anonymous().GetAsync("/api/export/pledges.csv", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        DigestMatches(response, body);

        using var csv = new CsvReader(new StreamReader(new MemoryStream(body)), CultureInfo.InvariantCulture);
        var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        var focal = rows.Single(r => (string)r["Id"] == "kh-r2p-focal-point");
        focal["Status"].ShouldBe("Kept");
        focal["OgpCompletion"].ShouldBe("Complete");
        ((string)rows.Single(r => (string)r["Id"] == "kh-r2p-1")["Quote"]).ShouldStartWith("First, I believe");
        // (The 304 of a conditional read: InputAndOutputHardeningTests.)
    }

    [Fact]
    public async Task The_json_export_has_the_ogp_completion_and_a_matching_digest()
    {
        await app.SeedAsync();
        var response = await app.Anonymous().GetAsync("/api/export/pledges.json", Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        DigestMatches(response, body);
        var pledges = JsonDocument.Parse(body).RootElement;
        pledges.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "kh-r2p-4")
            .GetProperty("ogpCompletion").GetString().ShouldBe("Limited");
    }

    [Fact]
    public async Task The_events_export_verifies_offline_and_a_changed_line_is_caught()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled", reason: "Budget «cut» → stalled"), "\"1\""), Ct)).EnsureSuccessStatusCode();

        var response = await app.Anonymous().GetAsync("/api/export/events.ndjson", Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        DigestMatches(response, body);
        var text = Encoding.UTF8.GetString(body);

        var results = await ChainVerifier.VerifyAsync(new StringReader(text));
        var mine = results.Single(r => r.StreamId == id);
        mine.Valid.ShouldBeTrue();
        mine.HeadHash.ShouldBe((await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/verify", Ct)).GetProperty("headHash").GetString());

        var tampered = string.Join('\n', text.Split('\n').Select(line =>
            line.Contains($"\"streamId\":\"{id}\"") && line.Contains("\"version\":2") ? line.Replace("Stalled", "Kept") : line));
        var after = (await ChainVerifier.VerifyAsync(new StringReader(tampered))).Single(r => r.StreamId == id);
        after.Valid.ShouldBeFalse();
        after.BrokenAtVersion.ShouldBe(2);
    }

    [Theory]
    [InlineData("/api/export/pledges.csv")]
    [InlineData("/api/export/pledges.json")]
    [InlineData("/api/export/events.ndjson")]
    [InlineData("/feeds/pledges.atom")]
    public async Task Head_answers_the_headers_of_get_without_a_body(string url)
    {
        await app.SeedAsync();
        // Other tests write meanwhile: a GET between two HEADs that agree saw the same events.
        for (var attempt = 0; ; attempt++)
        {
            var before = await app.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
            var get = await app.Anonymous().GetAsync(url, Ct);
            var body = await get.Content.ReadAsByteArrayAsync(Ct);
            var after = await app.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
            DigestMatches(get, body);
            get.Content.Headers.ContentLength.ShouldBe(body.Length);
            if (!Equals(before.Headers.ETag, after.Headers.ETag) && attempt < 10) continue;

            before.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await before.Content.ReadAsByteArrayAsync(Ct)).ShouldBeEmpty();
            before.Headers.ETag.ShouldBe(get.Headers.ETag);
            before.Headers.GetValues("Digest").ShouldBe(get.Headers.GetValues("Digest"));
            before.Content.Headers.ContentLength.ShouldBe(body.Length);
            before.Content.Headers.ContentType!.MediaType.ShouldBe(get.Content.Headers.ContentType!.MediaType);
            return;
        }
    }

    [Fact]
    public async Task Head_of_a_pledge_feed_matches_get_and_an_unknown_pledge_is_404()
    {
        var id = await RegisterAsync(app.Staff());
        // The feed carries the checkpoint that holds the pledge's events, so it changes once more when the
        // log takes the registration (a moment after it): compared after that.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var history = await app.Anonymous().GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/pledges/{id}/history", Ct);
            if (history[0].GetProperty("logIndex").ValueKind == System.Text.Json.JsonValueKind.Number) break;
            await Task.Delay(100, Ct);
        }
        var get = await app.Anonymous().GetAsync($"/feeds/pledges/{id}.atom", Ct);
        var head = await app.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/feeds/pledges/{id}.atom"), Ct);
        head.Headers.ETag.ShouldBe(get.Headers.ETag);
        head.Content.Headers.ContentLength.ShouldBe((await get.Content.ReadAsByteArrayAsync(Ct)).Length);
        (await app.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Head, "/feeds/pledges/nope-nope.atom"), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task While_pledges_change_every_export_matches_its_announced_digest_and_length()
    {
        // The digest is announced before the body is sent; body and digest must come from the same events.
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await RegisterAsync(app.Staff()));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writes = Task.Run(async () =>
        {
            var versions = ids.ToDictionary(id => id, _ => 1);
            for (var n = 0; n < 60; n++)
            {
                var id = ids[n % ids.Count];
                (await app.Staff().SendAsync(Post($"/api/pledges/{id}/details", new { title = $"Revised {n}", reason = "r" }, $"\"{versions[id]}\""), Ct))
                    .EnsureSuccessStatusCode();
                versions[id]++;
            }
        }, Ct);
        var etags = new HashSet<string>();
        while (!writes.IsCompleted)
        {
            foreach (var url in new[] { "/api/export/events.ndjson", "/api/export/pledges.csv" })
            {
                var response = await app.Anonymous().GetAsync(url, Ct);
                var body = await response.Content.ReadAsByteArrayAsync(Ct);
                DigestMatches(response, body);
                response.Content.Headers.ContentLength.ShouldBe(body.Length);
                etags.Add(response.Headers.ETag!.Tag);
            }
        }
        await writes;
        etags.Count.ShouldBeGreaterThan(2);
    }
}
