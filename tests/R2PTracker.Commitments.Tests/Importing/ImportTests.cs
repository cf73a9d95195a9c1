using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using R2PTracker.Commitments.Tests.Integration;
using R2PTracker.Testing;
using Shouldly;
using static R2PTracker.Commitments.Tests.Importing.ImportFile;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Importing;

public class ImportTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpContent Ndjson(string body) => new StringContent(body, Encoding.UTF8, "application/x-ndjson");

    private async Task<HttpResponseMessage> ImportAsync(string body, HttpClient? client = null) =>
        await (client ?? app.Staff("Arun Admin", "admin")).PostAsync("/api/import", Ndjson(body), Ct);

    private static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    private static (long Pledges, long Events, long Skipped) Counts(JsonElement result) =>
        (result.GetProperty("pledges").GetInt64(), result.GetProperty("events").GetInt64(), result.GetProperty("skipped").GetInt64());

    private static string ExampleHistory(string id) => Of([
        Registration(id),
        Milestone(id, "ms-outreach", "2019-12"),
        Status(id, "InTheWorks", "2023-09-16"),
        Attachment(id, "ms-outreach", "2023-09-16"),
    ]);

    /// <summary>The stored events as the history shows them, but for their log index, which the log adds a moment after the append.</summary>
    private async Task<string> HistoryOf(string id) => string.Join("\n",
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/history", Ct)).EnumerateArray()
        .Select(e => string.Join(",", e.EnumerateObject().Where(p => p.Name != "logIndex").Select(p => p.ToString()))));

    [Fact]
    public async Task Importing_a_file_writes_each_pledge_with_its_history_and_a_valid_hash_chain()
    {
        string a = NewId(), b = NewId();
        var response = await ImportAsync(ExampleHistory(a) + Of(History(b, 30)));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Counts(await Json(response)).ShouldBe((2, 34, 0));

        var pledge = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{a}", Ct);
        pledge.GetProperty("status").GetString().ShouldBe("InTheWorks");
        pledge.GetProperty("statusSince").GetString().ShouldBe("2023-09-16");
        pledge.GetProperty("milestoneCount").GetInt32().ShouldBe(1);
        pledge.GetProperty("version").GetInt64().ShouldBe(4);

        var timeline = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{a}/timeline", Ct);
        timeline.EnumerateArray().Select(e => e.GetProperty("type").GetString())
            .ShouldBe(["PledgeRegistered", "MilestoneLogged", "StatusAssessed", "EvidenceAttached"]);
        timeline.EnumerateArray().Select(e => e.GetProperty("occurredOn").GetString()).ShouldBe(["2015-02", "2019-12", "2023-09-16", "2023-09-16"]);
        timeline.EnumerateArray().ShouldAllBe(e => e.GetProperty("recordedBy").GetString() == "CICP archive");
        // Recorded when imported, whatever the line's date.
        timeline.EnumerateArray().ShouldAllBe(e => e.GetProperty("recordedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));

        foreach (var (id, events) in new[] { (a, 4), (b, 30) })
        {
            var verify = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/verify", Ct);
            verify.GetProperty("valid").GetBoolean().ShouldBeTrue();
            verify.GetProperty("events").GetInt32().ShouldBe(events);
        }
    }

    [Fact]
    public async Task Importing_the_same_file_again_adds_nothing_and_counts_every_line_as_skipped()
    {
        string a = NewId(), b = NewId();
        var file = ExampleHistory(a) + Of(History(b, 12));
        (await ImportAsync(file)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = (await HistoryOf(a), await HistoryOf(b));

        var again = await ImportAsync(file);

        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        Counts(await Json(again)).ShouldBe((0, 0, 16));
        (await HistoryOf(a), await HistoryOf(b)).ShouldBe(before);
    }

    [Fact]
    public async Task A_longer_file_adds_only_the_events_after_those_already_stored()
    {
        var id = NewId();
        var lines = History(id, 10).ToList();
        (await ImportAsync(Of(lines.Take(6)))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var response = await ImportAsync(Of(lines));

        Counts(await Json(response)).ShouldBe((1, 4, 6));
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/verify", Ct)).GetProperty("valid").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task A_pledge_stored_with_other_events_is_refused_on_the_line_that_differs()
    {
        var id = await RegisterAsync(app.Staff());
        var before = await HistoryOf(id);

        var response = await ImportAsync(Of([Registration(id)]));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = (await Json(response)).GetProperty("errors").EnumerateArray().Single();
        error.GetProperty("line").GetInt64().ShouldBe(1);
        error.GetProperty("message").GetString()!.ShouldContain("differs");
        (await HistoryOf(id)).ShouldBe(before);
    }

    [Fact]
    public async Task A_file_with_bad_lines_is_refused_with_each_line_and_field_and_nothing_is_written()
    {
        string good = NewId(), b = NewId(), c = NewId(), d = NewId(), e = NewId(), f = NewId(), g = NewId(), h = NewId();
        var file = Of([
            Registration(good),                                                     // 1
            Milestone(good, "ms-1", "2019-12"),                                     // 2
            Registration(b),                                                        // 3
            Line(new { pledgeId = b, type = "MilestoneInvented", occurredOn = "2019", recordedBy = "x" }), // 4
            Milestone(b, "ms-1", "2019-13"),                                        // 5: no 13th month
            Status(b, "InTheWorks", "2023", reason: null),                          // 6: no reason
            Milestone(c, "ms-1", "2019-12"),                                        // 7: before any registration
            Registration(d),                                                        // 8
            Status(d, "NotYetRated", "2023"),                                       // 9: it already is (the domain refuses)
            Line(new { pledgeId = e, type = "PledgeRegistered", recordedBy = "x" }), // 10: no title, quote, ... occurredOn
            "{ not json",                                                           // 11
            Milestone(good, "ms-2", "2020"),                                        // 12: pledge 'good' again, not contiguous
            Registration(f),                                                        // 13
            Registration(f),                                                        // 14: registered twice
            Registration(g),                                                        // 15
            Milestone(g, "ms-1", "2019-12"),                                        // 16
            Milestone(g, "ms-1", "2020"),                                           // 17: the same milestone id again
            Registration(h),                                                        // 18
            Line(new { pledgeId = h, type = "MilestoneLogged", recordedBy = "x", milestoneId = "ms-1", title = "t",
                evidence = new[] { new { title = "e" } } }),                       // 19: no date
            Line(new { pledgeId = h, type = "MilestoneRetracted", occurredOn = "2020", recordedBy = "x", milestoneId = "ms-1",
                reason = "r" }),                                                    // 20: a retraction has no date
        ]);

        var response = await ImportAsync(file);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await Json(response);
        var errors = problem.GetProperty("errors").EnumerateArray()
            .Select(x => (x.GetProperty("line").GetInt64(), x.GetProperty("field").GetString())).ToList();
        errors.ShouldContain((4, "type"));
        errors.ShouldContain((5, "occurredOn"));
        errors.ShouldContain((6, "reason"));
        errors.ShouldContain((7, "type"));
        errors.ShouldContain((9, "status"));
        errors.ShouldContain((10, "title"));
        errors.ShouldContain((10, "occurredOn"));
        errors.ShouldContain((11, "line"));
        errors.ShouldContain((12, "pledgeId"));
        errors.ShouldContain((14, "type"));
        errors.ShouldContain((17, "milestoneId"));
        errors.ShouldContain((19, "occurredOn"));
        errors.ShouldContain((20, "occurredOn"));
        errors.Select(x => x.Item1).ShouldNotContain(1);
        errors.Select(x => x.Item1).ShouldNotContain(2);
        problem.GetProperty("moreErrors").GetInt64().ShouldBe(0);

        foreach (var id in new[] { good, b, d, f, g, h })
            (await app.Anonymous().GetAsync($"/api/pledges/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_the_first_100_line_errors_are_listed_and_the_rest_are_counted()
    {
        var lines = Enumerable.Range(0, 150).Select(_ => Line(new { pledgeId = NewId(), type = "Nothing" }));

        var problem = await Json(await ImportAsync(Of(lines)));

        problem.GetProperty("errors").GetArrayLength().ShouldBe(100);
        // Each line lacks recordedBy and has an unknown type: two errors a line.
        problem.GetProperty("moreErrors").GetInt64().ShouldBe(200);
    }

    [Fact]
    public async Task Only_an_admin_may_import()
    {
        var file = ExampleHistory(NewId());
        (await ImportAsync(file, app.Staff("Eddie", "editor"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ImportAsync(file, app.Anonymous())).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_body_that_is_not_ndjson_is_refused_with_415()
    {
        var response = await app.Staff().PostAsync("/api/import",
            new StringContent(ExampleHistory(NewId()), Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task The_import_endpoint_takes_bodies_over_64_KiB_while_other_writes_stay_at_64_KiB()
    {
        var id = NewId();
        var file = Of(History(id, 300));
        Encoding.UTF8.GetByteCount(file).ShouldBeGreaterThan(64 * 1024);

        var response = await ImportAsync(file);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var big = new StringContent(new string('x', 70 * 1024), Encoding.UTF8, "application/json");
        big.Headers.ContentLength = 70 * 1024;
        (await app.Staff().PostAsync("/api/pledges", big, Ct)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_import_over_its_own_limit_is_413_whether_its_length_is_given_or_not_and_nothing_is_written()
    {
        await using var small = app.Factory.WithWebHostBuilder(b => b.UseSetting("Import:MaxBodyBytes", "4096"));
        using var client = CommitmentsApp.StaffOf(small, "Arun Admin", "admin");
        var (sized, chunked) = (NewId(), NewId());
        foreach (var (id, withLength) in new[] { (sized, true), (chunked, false) })
        {
            var file = Of(History(id, 40));
            Encoding.UTF8.GetByteCount(file).ShouldBeGreaterThan(4096);
            HttpContent content = withLength ? Ndjson(file) : new PushStreamContent(file).Typed();
            var response = await client.PostAsync("/api/import", content, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge, withLength ? "with Content-Length" : "chunked");
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await app.Anonymous().GetAsync($"/api/pledges/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
    }

    /// <summary>A body sent without a Content-Length (chunked).</summary>
    private sealed class PushStreamContent(string text) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        public PushStreamContent Typed()
        {
            Headers.ContentType = new("application/x-ndjson");
            return this;
        }
    }

    [Fact]
    public async Task The_import_command_writes_a_file_as_the_endpoint_does()
    {
        string viaHttp = NewId(), viaCommand = NewId();
        var endpoint = Counts(await Json(await ImportAsync(ExampleHistory(viaHttp) + Of(History(viaHttp + "-b", 20)))));

        var path = Path.Combine(Path.GetTempPath(), $"import-{viaCommand}.ndjson");
        await File.WriteAllTextAsync(path, ExampleHistory(viaCommand) + Of(History(viaCommand + "-b", 20)), Ct);
        try
        {
            var output = await ServiceProcess.RunCommandAsync(ServiceProcess.DllPath("commitments", "R2PTracker.Commitments"),
                new Dictionary<string, string>
                {
                    ["ConnectionStrings__Postgres"] = app.ConnectionString,
                    ["ConnectionStrings__RabbitMq"] = TestEnvironment.RabbitMqFor(CommitmentsApp.VirtualHost),
                    // No signing key (blank over the one this test process holds): the command takes no staff requests.
                    ["InternalAuth__SigningKey"] = "",
                    ["Overdue__Enabled"] = "false",
                }, "import", path);
            var command = Counts(JsonDocument.Parse(output.Split('\n')[^1]).RootElement);

            command.ShouldBe(endpoint);
            var a = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{viaHttp}", Ct);
            var b = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{viaCommand}", Ct);
            b.GetRawText().Replace(viaCommand, viaHttp).ShouldBe(a.GetRawText());
            // What the command wrote is what the endpoint decides: importing it again skips every line.
            Counts(await Json(await ImportAsync(await File.ReadAllTextAsync(path, Ct)))).ShouldBe((0, 0, 24));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
