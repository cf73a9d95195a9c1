using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>Issue 4's endpoints through the gateway: the record as of a date, writes with their errors, feeds, exports.</summary>
public class PledgeRecordThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    private static HttpRequestMessage Post(string url, HttpContent content, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static object Progress(int progress, string? reason = "Seen in the CICP report") => new
    {
        progress,
        reason,
        occurredOn = "2023-09-16",
        evidence = new[] { new { title = "CICP, Spotlight on R2P", url = "https://cicp.org.kh/" } },
    };

    [Fact]
    public async Task The_focal_point_as_of_2015_and_2017_and_on_the_recorded_axis()
    {
        var gateway = deployment.Gateway();
        (await gateway.GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-focal-point?asOf=2015-12-31", Ct))
            .GetProperty("status").GetString().ShouldBe("NotYetRated");
        (await gateway.GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-focal-point?asOf=2017-01-01&axis=occurred", Ct))
            .GetProperty("status").GetString().ShouldBe("Kept");
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd");
        (await gateway.GetAsync($"/api/pledges/kh-r2p-focal-point?asOf={yesterday}&axis=recorded", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await gateway.GetFromJsonAsync<JsonElement>("/api/pledges?asOf=2015-01-31", Ct)).GetArrayLength().ShouldBe(0);

        // Only the seed's two pledges have this theme: other tests' pledges (some Kept as of 2016) are left out.
        var tallies = await gateway.GetFromJsonAsync<JsonElement>("/api/tallies?asOf=2017-01-01&theme=focal%20points", Ct);
        tallies.GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBe(1);
        tallies.GetProperty("kept").GetProperty("late").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Progress_through_the_gateway_with_each_error_case_then_a_verified_history()
    {
        var staff = deployment.StaffThroughGateway();
        var pledgeId = await deployment.NewPledgeAsync();
        var url = $"/api/pledges/{pledgeId}/progress";
        var etag = (await deployment.Gateway().GetAsync($"/api/pledges/{pledgeId}", Ct)).Headers.ETag!.Tag;

        (await staff.SendAsync(Post(url, JsonContent.Create(Progress(30)), null), Ct)).StatusCode.ShouldBe((HttpStatusCode)428);
        (await staff.SendAsync(Post(url, JsonContent.Create(Progress(30)), "\"99\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        var bad = await staff.SendAsync(Post(url, JsonContent.Create(Progress(130, reason: null)), etag), Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.TryGetProperty("progress", out _).ShouldBeTrue();
        errors.TryGetProperty("reason", out _).ShouldBeTrue();
        (await staff.SendAsync(Post(url, new StringContent("progress=30"), etag), Ct)).StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        var huge = new StringContent("{\"reason\":\"" + new string('x', 70_000) + "\"}", Encoding.UTF8, "application/json");
        (await staff.SendAsync(Post(url, huge, etag), Ct)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await deployment.Gateway().SendAsync(Post(url, JsonContent.Create(Progress(30)), etag), Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var ok = await staff.SendAsync(Post(url, JsonContent.Create(Progress(30)), etag), Ct);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        ok.Headers.ETag!.Tag.ShouldNotBe(etag);

        var history = await deployment.Gateway().GetFromJsonAsync<JsonElement>($"/api/pledges/{pledgeId}/history", Ct);
        history.GetArrayLength().ShouldBe(2);
        history[1].GetProperty("type").GetString().ShouldBe("progress_assessed");
        history[1].GetProperty("data").GetProperty("recordedBy").GetString().ShouldBe(Deployment.StaffName);
        var verify = await deployment.Gateway().GetFromJsonAsync<JsonElement>($"/api/pledges/{pledgeId}/verify", Ct);
        verify.GetProperty("valid").GetBoolean().ShouldBeTrue();
        verify.GetProperty("headHash").GetString().ShouldBe(history[1].GetProperty("hash").GetString());
    }

    [Fact]
    public async Task The_feeds_are_atom_through_the_gateway()
    {
        foreach (var url in new[] { "/feeds/pledges.atom", "/feeds/pledges/kh-r2p-focal-point.atom" })
        {
            var response = await deployment.Gateway().GetAsync(url, Ct);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/atom+xml");
            var feed = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).Root!;
            feed.Name.ShouldBe(Atom + "feed");
            var entries = feed.Elements(Atom + "entry").ToList();
            entries.ShouldNotBeEmpty();
            entries.ShouldAllBe(e => e.Element(Atom + "id")!.Value.StartsWith("urn:uuid:"));
        }
    }

    [Fact]
    public async Task The_exports_download_through_the_gateway_with_their_sha256()
    {
        foreach (var url in new[] { "/api/export/pledges.csv", "/api/export/pledges.json", "/api/export/events.ndjson" })
        {
            // Other tests write meanwhile (an import writes for many seconds), and the gateway's cache
            // (GET and HEAD kept apart) hears of a change a moment later: a GET between two HEADs that
            // agree with it saw the same events. Tried for up to a minute.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var before = await deployment.Gateway().SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
                var response = await deployment.Gateway().GetAsync(url, Ct);
                response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
                var body = await response.Content.ReadAsByteArrayAsync(Ct);
                var sha = SHA256.HashData(body);
                response.Headers.GetValues("Digest").Single().ShouldBe($"sha-256={Convert.ToBase64String(sha)}", url);
                response.Headers.ETag!.Tag.ShouldBe($"\"sha256-{Convert.ToHexStringLower(sha)}\"", url);
                var after = await deployment.Gateway().SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
                if ((!Equals(before.Headers.ETag, after.Headers.ETag) || !Equals(before.Headers.ETag, response.Headers.ETag)) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(250, Ct);
                    continue;
                }

                before.StatusCode.ShouldBe(HttpStatusCode.OK, url);
                before.Headers.ETag.ShouldBe(response.Headers.ETag, url);
                before.Content.Headers.ContentLength.ShouldBe(body.Length, url);
                break;
            }
        }
        var csv = await deployment.Gateway().GetStringAsync("/api/export/pledges.csv", Ct);
        csv.Split('\n')[0].ShouldContain("OgpCompletion");
    }
}
