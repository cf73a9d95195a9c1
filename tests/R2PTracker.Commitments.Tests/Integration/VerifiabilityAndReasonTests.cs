using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>
/// Verifiability (set at registration, revised by a write of its own) and the coded reason of a Stalled or
/// Broken verdict: on the record on both axes, in the filters, tallies and series, the exports, feeds and import.
/// Each test works on a theme of its own, as test classes share one database.
/// </summary>
public class VerifiabilityAndReasonTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewTheme() => "vr-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> RegisterAsync(string theme, string? verifiability = null, string? verifiabilityReason = null, string madeOn = "2015-02")
    {
        var id = NewId();
        var response = await app.Staff().PostAsJsonAsync("/api/pledges", new
        {
            id, title = "Appoint a national focal point", quote = "A quote", actor = "Royal Government of Cambodia", country = "KH", madeOn, theme,
            source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" },
            verifiability, verifiabilityReason,
        }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return id;
    }

    private static object Screen(string verifiability, string? reason = "The pledge names no deliverable", string occurredOn = "2017-05") =>
        new { verifiability, reason, occurredOn };

    private static object Verdict(string status, string? reasonCode, string occurredOn, string reason = "No focal point was named") => new
    {
        status, reason, occurredOn, reasonCode,
        evidence = new[] { new { title = "CICP report", url = "https://cicp.org.kh/spotlight-r2p" } },
    };

    private async Task<JsonElement> WriteAsync(string id, string path, object body, int version, string staff = "Alice Editor")
    {
        var response = await app.Staff(staff).SendAsync(Post($"/api/pledges/{id}/{path}", body, $"\"{version}\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<JsonElement> Get(string url)
    {
        var response = await app.Anonymous().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<List<string>> IdsAsync(string url) =>
        (await Get(url)).EnumerateArray().Select(p => p.GetProperty("id").GetString()!).Order().ToList();

    private static string? Text(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();

    [Fact]
    public async Task A_pledge_registered_with_a_verifiability_shows_it_and_a_revision_changes_it_on_both_axes_with_the_old_one_kept_before()
    {
        var theme = NewTheme();
        var id = await RegisterAsync(theme, "Verifiable", "The pledge names a focal point and a deadline");
        var registered = await Get($"/api/pledges/{id}");
        Text(registered, "verifiability").ShouldBe("Verifiable");
        Text(registered, "verifiabilityReason").ShouldBe("The pledge names a focal point and a deadline");
        Text(registered, "verifiabilitySince").ShouldBe("2015-02");

        var revised = await WriteAsync(id, "verifiability", Screen("Partly", "The deadline is vague: 'within the next few months'"), 1, "Chan Sophea");
        Text(revised, "verifiability").ShouldBe("Partly");
        Text(revised, "verifiabilityReason").ShouldBe("The deadline is vague: 'within the next few months'");

        var timeline = (await Get($"/api/pledges/{id}/timeline")).EnumerateArray().ToList();
        var entry = timeline.Single(e => e.GetProperty("type").GetString() == "VerifiabilityAssessed");
        Text(entry, "title").ShouldBe("Partly");
        Text(entry, "reason").ShouldBe("The deadline is vague: 'within the next few months'");
        Text(entry, "recordedBy").ShouldBe("Chan Sophea");
        Text(entry, "occurredOn").ShouldBe("2017-05");

        // Occurred axis: the screen of 2017-05 holds from then on, the registration's before it.
        Text(await Get($"/api/pledges/{id}?asOf=2016-12-31"), "verifiability").ShouldBe("Verifiable");
        Text(await Get($"/api/pledges/{id}?asOf=2017-06-01"), "verifiability").ShouldBe("Partly");
        // Recorded axis: both were recorded today.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Text(await Get($"/api/pledges/{id}?asOf={today}&axis=recorded"), "verifiability").ShouldBe("Partly");
        (await app.Anonymous().GetAsync($"/api/pledges/{id}?asOf={DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}&axis=recorded", Ct))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_pledge_registered_without_a_verifiability_reads_as_not_yet_screened_until_assessed()
    {
        var theme = NewTheme();
        var id = await RegisterAsync(theme);
        var pledge = await Get($"/api/pledges/{id}");
        pledge.GetProperty("verifiability").ValueKind.ShouldBe(JsonValueKind.Null);
        (await IdsAsync($"/api/pledges?theme={theme}&verifiability=NotScreened")).ShouldBe([id]);
        (await Get($"/api/tallies?theme={theme}")).GetProperty("byVerifiability").GetProperty("NotScreened").GetInt32().ShouldBe(1);

        Text(await WriteAsync(id, "verifiability", Screen("NotVerifiable"), 1), "verifiability").ShouldBe("NotVerifiable");
        (await IdsAsync($"/api/pledges?theme={theme}&verifiability=NotScreened")).ShouldBeEmpty();
        (await IdsAsync($"/api/pledges?theme={theme}&verifiability=NotVerifiable")).ShouldBe([id]);
    }

    [Theory]
    [InlineData("{\"verifiability\":\"Maybe\",\"reason\":\"r\"}", "verifiability")]
    [InlineData("{\"reason\":\"r\"}", "verifiability")]
    [InlineData("{\"verifiability\":\"0\",\"reason\":\"r\"}", "verifiability")]
    [InlineData("{\"verifiability\":\"Partly\"}", "reason")]
    [InlineData("{\"verifiability\":\"Partly\",\"reason\":\"r\",\"occurredOn\":\"2015-13\"}", "occurredOn")]
    [InlineData("{\"verifiability\":\"Partly\",\"reason\":\"r\",\"occurredOn\":\"2014\"}", "occurredOn")]
    public async Task A_bad_verifiability_write_is_a_400_naming_the_field_and_stores_nothing(string body, string field)
    {
        var id = await RegisterAsync(NewTheme());
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/verifiability")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await app.Staff().SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync(Ct));
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await Get($"/api/pledges/{id}")).GetProperty("version").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task A_verifiability_write_takes_If_Match_and_staff_and_refuses_the_same_screen_again()
    {
        var id = await RegisterAsync(NewTheme(), "Partly", "Vague deadline");
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/verifiability", Screen("Verifiable"), null), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/verifiability", Screen("Verifiable"), "\"7\""), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        (await app.Anonymous().SendAsync(Post($"/api/pledges/{id}/verifiability", Screen("Verifiable"), "\"1\""), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var same = await app.Staff().SendAsync(Post($"/api/pledges/{id}/verifiability", Screen("Partly", "Vague deadline"), "\"1\""), Ct);
        same.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await same.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("verifiability", out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData("Maybe", "because", "verifiability")]
    [InlineData("Partly", null, "verifiabilityReason")]
    [InlineData(null, "because", "verifiabilityReason")]
    public async Task A_registration_with_a_bad_verifiability_is_a_400_naming_the_field(string? verifiability, string? reason, string field)
    {
        var id = NewId();
        var response = await app.Staff().PostAsJsonAsync("/api/pledges", new
        {
            id, title = "T", quote = "Q", actor = "A", country = "KH", madeOn = "2015",
            source = new { title = "S", publisher = "P" }, verifiability, verifiabilityReason = reason,
        }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await app.Anonymous().GetAsync($"/api/pledges/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_Broken_verdict_stores_its_reason_code_and_a_later_verdict_without_one_clears_it()
    {
        var id = await RegisterAsync(NewTheme());
        var broken = await WriteAsync(id, "status", Verdict("Broken", "ChangedPosition", "2016-06"), 1);
        Text(broken, "statusReasonCode").ShouldBe("ChangedPosition");
        Text(await Get($"/api/pledges/{id}"), "statusReasonCode").ShouldBe("ChangedPosition");
        var entry = (await Get($"/api/pledges/{id}/timeline")).EnumerateArray().Single(e => e.GetProperty("type").GetString() == "StatusAssessed");
        entry.GetProperty("data").GetProperty("reasonCode").GetString().ShouldBe("ChangedPosition");

        var working = await WriteAsync(id, "status", Verdict("InTheWorks", null, "2018-01", "Work resumed"), 2);
        working.GetProperty("statusReasonCode").ValueKind.ShouldBe(JsonValueKind.Null);
        Text(await Get($"/api/pledges/{id}?asOf=2017-01-01"), "statusReasonCode").ShouldBe("ChangedPosition");
    }

    [Theory]
    [InlineData("Broken", "Lazy")]
    [InlineData("Stalled", "1")]
    [InlineData("Kept", "NoFunding")]
    [InlineData("InTheWorks", "Other")]
    public async Task A_bad_or_misplaced_reason_code_is_a_400_naming_reasonCode_and_stores_nothing(string status, string reasonCode)
    {
        var id = await RegisterAsync(NewTheme());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", Verdict(status, reasonCode, "2016"), "\"1\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync(Ct));
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("reasonCode", out _).ShouldBeTrue();
        (await Get($"/api/pledges/{id}")).GetProperty("version").GetInt64().ShouldBe(1);
    }

    /// <summary>
    /// Four pledges: a (Verifiable; Broken for NoFunding from 2016-06), b (Partly; Stalled for NoMajority from
    /// 2018-03), c (not screened; not rated), d (Verifiable at registration, NotVerifiable from 2017-05; Broken without a code).
    /// </summary>
    private async Task<(string Theme, string A, string B, string C, string D)> FourAsync()
    {
        var theme = NewTheme();
        var a = await RegisterAsync(theme, "Verifiable", "Names a focal point");
        var b = await RegisterAsync(theme, "Partly", "Vague deadline");
        var c = await RegisterAsync(theme);
        var d = await RegisterAsync(theme, "Verifiable", "Names a deadline");
        await WriteAsync(a, "status", Verdict("Broken", "NoFunding", "2016-06"), 1);
        await WriteAsync(b, "status", Verdict("Stalled", "NoMajority", "2018-03"), 1);
        await WriteAsync(d, "verifiability", Screen("NotVerifiable", occurredOn: "2017-05"), 1);
        await WriteAsync(d, "status", Verdict("Broken", null, "2016-01"), 2);
        return (theme, a, b, c, d);
    }

    [Fact]
    public async Task The_list_filters_by_verifiability_and_reason_repeatably_today_and_as_of_a_day_on_both_axes()
    {
        var (theme, a, b, c, d) = await FourAsync();
        (await IdsAsync($"/api/pledges?theme={theme}&verifiability=Verifiable")).ShouldBe([a]);
        (await IdsAsync($"/api/pledges?theme={theme}&verifiability=Verifiable&verifiability=Partly")).ShouldBe(new[] { a, b }.Order());
        (await IdsAsync($"/api/pledges?theme={theme}&reason=NoFunding")).ShouldBe([a]);
        (await IdsAsync($"/api/pledges?theme={theme}&reason=NoFunding&reason=NoMajority")).ShouldBe(new[] { a, b }.Order());
        (await IdsAsync($"/api/pledges?theme={theme}&reason=NoMajority&verifiability=Verifiable")).ShouldBeEmpty();
        (await IdsAsync($"/api/pledges?theme={theme}&status=Broken&verifiability=NotVerifiable")).ShouldBe([d]);
        (await IdsAsync($"/api/pledges?theme={theme}&verifiability=NotScreened")).ShouldBe([c]);

        // Occurred axis, 2017-01-01: b is not yet stalled, d still screened Verifiable.
        (await IdsAsync($"/api/pledges?theme={theme}&asOf=2017-01-01&reason=NoMajority")).ShouldBeEmpty();
        (await IdsAsync($"/api/pledges?theme={theme}&asOf=2017-01-01&reason=NoFunding")).ShouldBe([a]);
        (await IdsAsync($"/api/pledges?theme={theme}&asOf=2017-01-01&verifiability=Verifiable")).ShouldBe(new[] { a, d }.Order());
        var item = (await Get($"/api/pledges?theme={theme}&asOf=2017-01-01&reason=NoFunding"))[0];
        Text(item, "statusReasonCode").ShouldBe("NoFunding");
        Text(item, "verifiability").ShouldBe("Verifiable");

        // Recorded axis: everything was recorded today; yesterday nothing was.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        (await IdsAsync($"/api/pledges?theme={theme}&asOf={today}&axis=recorded&reason=NoMajority")).ShouldBe([b]);
        (await IdsAsync($"/api/pledges?theme={theme}&asOf={today}&axis=recorded&verifiability=NotVerifiable")).ShouldBe([d]);
        (await IdsAsync($"/api/pledges?theme={theme}&asOf={DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}&axis=recorded&verifiability=Verifiable")).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_tallies_count_by_verifiability_and_reason_today_and_as_of_a_day_and_take_the_filters()
    {
        var (theme, _, _, _, _) = await FourAsync();
        var now = await Get($"/api/tallies?theme={theme}");
        now.GetProperty("total").GetInt32().ShouldBe(4);
        var byVerifiability = now.GetProperty("byVerifiability");
        byVerifiability.GetProperty("Verifiable").GetInt32().ShouldBe(1);
        byVerifiability.GetProperty("Partly").GetInt32().ShouldBe(1);
        byVerifiability.GetProperty("NotVerifiable").GetInt32().ShouldBe(1);
        byVerifiability.GetProperty("NotScreened").GetInt32().ShouldBe(1);
        var byReason = now.GetProperty("byReason");
        byReason.GetProperty("NoFunding").GetInt32().ShouldBe(1);
        byReason.GetProperty("NoMajority").GetInt32().ShouldBe(1);
        byReason.EnumerateObject().Sum(p => p.Value.GetInt32()).ShouldBe(2);
        now.GetProperty("byStatus").GetProperty("Broken").GetInt32().ShouldBe(2);

        var before = await Get($"/api/tallies?theme={theme}&asOf=2017-01-01");
        before.GetProperty("byVerifiability").GetProperty("Verifiable").GetInt32().ShouldBe(2);
        before.GetProperty("byVerifiability").GetProperty("NotVerifiable").GetInt32().ShouldBe(0);
        before.GetProperty("byReason").GetProperty("NoMajority").GetInt32().ShouldBe(0);
        before.GetProperty("byReason").GetProperty("NoFunding").GetInt32().ShouldBe(1);

        var filtered = await Get($"/api/tallies?theme={theme}&verifiability=Partly&verifiability=NotScreened");
        filtered.GetProperty("total").GetInt32().ShouldBe(2);
        (await Get($"/api/tallies?theme={theme}&reason=NoFunding")).GetProperty("total").GetInt32().ShouldBe(1);

        var yesterday = await Get($"/api/tallies?theme={theme}&asOf={DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}&axis=recorded");
        yesterday.GetProperty("total").GetInt32().ShouldBe(0);
        yesterday.GetProperty("byVerifiability").EnumerateObject().ShouldAllBe(p => p.Value.GetInt32() == 0);
    }

    [Fact]
    public async Task Each_point_of_a_series_equals_the_tallies_as_of_its_date_by_verifiability_and_reason_on_both_axes()
    {
        var (theme, _, _, _, _) = await FourAsync();
        var to = DateTime.UtcNow.ToString("yyyy", CultureInfo.InvariantCulture);
        foreach (var filter in new[] { "", "&reason=NoFunding&reason=NoMajority", "&verifiability=Verifiable" })
        foreach (var axis in new[] { "occurred", "recorded" })
        {
            var series = await Get($"/api/tallies/series?theme={theme}{filter}&from=2014&to={to}&interval=year&axis={axis}");
            foreach (var point in series.EnumerateArray())
            {
                var date = point.GetProperty("date").GetString();
                var tallies = await Get($"/api/tallies?theme={theme}{filter}&asOf={date}&axis={axis}");
                point.GetProperty("total").GetInt32().ShouldBe(tallies.GetProperty("total").GetInt32(), $"{axis} {date}");
                foreach (var part in new[] { "byStatus", "byVerifiability", "byReason" })
                    JsonSerializer.Serialize(point.GetProperty(part)).ShouldBe(JsonSerializer.Serialize(tallies.GetProperty(part)), $"{part} {axis} {date}{filter}");
            }
        }
        var occurred = await Get($"/api/tallies/series?theme={theme}&from=2017&to=2018&interval=year");
        occurred[0].GetProperty("byVerifiability").GetProperty("NotVerifiable").GetInt32().ShouldBe(1);
        occurred[0].GetProperty("byReason").GetProperty("NoMajority").GetInt32().ShouldBe(0);
        occurred[1].GetProperty("byReason").GetProperty("NoMajority").GetInt32().ShouldBe(1);
    }

    [Theory]
    [InlineData("/api/pledges?verifiability=Maybe", "verifiability")]
    [InlineData("/api/pledges?verifiability=verifiable", "verifiability")]
    [InlineData("/api/pledges?reason=Lazy", "reason")]
    [InlineData("/api/pledges?reason=NoFunding&reason=2", "reason")]
    [InlineData("/api/tallies?verifiability=Maybe", "verifiability")]
    [InlineData("/api/tallies?reason=Lazy&asOf=2016", "reason")]
    [InlineData("/api/tallies/series?from=2015&to=2016&verifiability=Maybe", "verifiability")]
    [InlineData("/api/tallies/series?from=2015&to=2016&reason=Lazy", "reason")]
    public async Task A_bad_verifiability_or_reason_filter_is_a_400_problem_naming_it(string url, string field)
    {
        var response = await app.Anonymous().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task The_exports_and_the_feed_carry_the_verifiability_and_the_reason_code()
    {
        var (_, a, _, _, d) = await FourAsync();
        var csvBody = await app.Anonymous().GetByteArrayAsync("/api/export/pledges.csv", Ct);
        using var csv = new CsvReader(new StreamReader(new MemoryStream(csvBody)), CultureInfo.InvariantCulture);
        var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        var row = rows.Single(r => (string)r["Id"] == a);
        row["Verifiability"].ShouldBe("Verifiable");
        row["VerifiabilityReason"].ShouldBe("Names a focal point");
        row["StatusReasonCode"].ShouldBe("NoFunding");

        var json = (await Get("/api/export/pledges.json")).EnumerateArray().Single(p => p.GetProperty("id").GetString() == d);
        Text(json, "verifiability").ShouldBe("NotVerifiable");

        var events = await app.Anonymous().GetStringAsync("/api/export/events.ndjson", Ct);
        var lines = events.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("streamId", out _)).ToList();
        lines.ShouldContain(l => l.GetProperty("streamId").GetString() == d && l.GetProperty("type").GetString()!.Contains("verifiability", StringComparison.OrdinalIgnoreCase));
        lines.Where(l => l.GetProperty("streamId").GetString() == a)
            .Select(l => l.GetProperty("data").TryGetProperty("reasonCode", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null)
            .ShouldContain("NoFunding");

        var feed = await app.Anonymous().GetStringAsync($"/feeds/pledges/{a}.atom", Ct);
        feed.ShouldContain("(no funding)");
        var khmer = await app.Anonymous().GetStringAsync($"/feeds/pledges/{d}.atom?lang=km", Ct);
        khmer.ShouldContain("មិនអាចផ្ទៀងផ្ទាត់បាន");
    }

    private static string Line(object line) => JsonSerializer.Serialize(line, JsonSerializerOptions.Web);

    private static object Registration(string id, string? verifiability, string? verifiabilityReason) => new
    {
        pledgeId = id, type = "PledgeRegistered", occurredOn = "2015-02", recordedBy = "CICP archive", title = "Appoint a national focal point",
        quote = "A quote", actor = "Royal Government of Cambodia", country = "KH",
        source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" }, verifiability, verifiabilityReason,
    };

    private static readonly object[] ImportEvidence = [new { title = "CICP training report" }];

    private async Task<HttpResponseMessage> ImportAsync(params object[] lines) =>
        await app.Staff("Arun Admin", "admin").PostAsync("/api/import",
            new StringContent(string.Join("\n", lines.Select(Line)) + "\n", Encoding.UTF8, "application/x-ndjson"), Ct);

    [Fact]
    public async Task An_import_file_carries_the_verifiability_its_revisions_and_a_verdicts_reason_code()
    {
        var id = NewId();
        var response = await ImportAsync(
            Registration(id, "Verifiable", "Names a focal point"),
            new { pledgeId = id, type = "VerifiabilityAssessed", occurredOn = "2016", recordedBy = "CICP archive", verifiability = "Partly", reason = "No date" },
            new { pledgeId = id, type = "StatusAssessed", occurredOn = "2017", recordedBy = "CICP archive", status = "Stalled", reason = "r",
                reasonCode = "ExternalEvents", evidence = ImportEvidence });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var pledge = await Get($"/api/pledges/{id}");
        Text(pledge, "verifiability").ShouldBe("Partly");
        Text(pledge, "statusReasonCode").ShouldBe("ExternalEvents");
        Text(await Get($"/api/pledges/{id}?asOf=2015-12-31"), "verifiability").ShouldBe("Verifiable");
    }

    [Fact]
    public async Task An_import_line_with_a_bad_verifiability_or_reason_code_is_refused_naming_its_field_and_nothing_is_written()
    {
        string a = NewId(), b = NewId(), c = NewId();
        var response = await ImportAsync(
            Registration(a, "Maybe", "r"),
            Registration(b, null, null),
            new { pledgeId = b, type = "VerifiabilityAssessed", occurredOn = "2016", recordedBy = "CICP archive", verifiability = "Partly" },
            new { pledgeId = b, type = "StatusAssessed", occurredOn = "2017", recordedBy = "CICP archive", status = "Broken", reason = "r",
                reasonCode = "Lazy", evidence = ImportEvidence },
            Registration(c, null, null),
            new { pledgeId = c, type = "StatusAssessed", occurredOn = "2017", recordedBy = "CICP archive", status = "Kept", reason = "r",
                reasonCode = "NoFunding", evidence = ImportEvidence });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray()
            .Select(x => (x.GetProperty("line").GetInt64(), x.GetProperty("field").GetString())).ToList();
        errors.ShouldContain((1, "verifiability"));
        errors.ShouldContain((3, "reason"));
        errors.ShouldContain((4, "reasonCode"));
        errors.ShouldContain((6, "reasonCode"));
        (await app.Anonymous().GetAsync($"/api/pledges/{b}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
