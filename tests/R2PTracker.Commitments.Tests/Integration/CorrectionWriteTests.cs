using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

public class CorrectionWriteTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly object[] Evidence = [new { title = "CICP report", url = "https://cicp.org.kh/spotlight-r2p" }];

    private async Task<long> VersionOf(string id) =>
        (await app.Store.QuerySession().Events.FetchStreamStateAsync(id, Ct))?.Version ?? 0;

    private async Task<JsonElement> Errors(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
    }

    private async Task<(string Id, string MilestoneId)> WithMilestoneAsync()
    {
        var id = await RegisterAsync(app.Staff());
        var logged = await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Outreach", description = "Students", occurredOn = "2019-12", evidence = Evidence }, "\"1\""), Ct);
        logged.EnsureSuccessStatusCode();
        var events = await app.Store.QuerySession().Events.FetchStreamAsync(id, token: Ct);
        var milestoneId = ((Pledges.MilestoneLogged)events[1].Data).MilestoneId;
        return (id, milestoneId);
    }

    [Fact]
    public async Task Assessing_progress_returns_the_new_etag_and_the_progress()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/progress",
            new { progress = 40, reason = "Trainings held", evidence = Evidence, occurredOn = "2023-09-16" }, "\"1\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"2\"");
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("progress").GetInt32().ShouldBe(40);
    }

    [Fact]
    public async Task Progress_out_of_range_without_reason_or_evidence_returns_400_naming_each_and_appends_nothing()
    {
        var id = await RegisterAsync(app.Staff());
        var errors = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/progress",
            new { progress = 140, reason = "", evidence = Array.Empty<object>(), occurredOn = "2023-02-30" }, "\"1\""), Ct));
        foreach (var field in new[] { "progress", "reason", "evidence", "occurredOn" }) errors.TryGetProperty(field, out _).ShouldBeTrue(field);
        (await VersionOf(id)).ShouldBe(1);
    }

    [Fact]
    public async Task Progress_below_100_on_a_kept_pledge_returns_400()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Kept"), "\"1\""), Ct)).EnsureSuccessStatusCode();
        var errors = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/progress",
            new { progress = 50, reason = "Only half", evidence = Evidence }, "\"2\""), Ct));
        errors.TryGetProperty("progress", out _).ShouldBeTrue();
        (await VersionOf(id)).ShouldBe(2);
    }

    [Fact]
    public async Task Every_new_write_needs_if_match()
    {
        var (id, milestoneId) = await WithMilestoneAsync();
        var writes = new (string Url, object Body)[]
        {
            ($"/api/pledges/{id}/progress", new { progress = 10, reason = "r", evidence = Evidence }),
            ($"/api/pledges/{id}/target-date", new { targetDate = "2030", reason = "r" }),
            ($"/api/pledges/{id}/details", new { title = "New", reason = "r" }),
            ($"/api/pledges/{id}/milestones/{milestoneId}/corrections", new { title = "New", reason = "r" }),
            ($"/api/pledges/{id}/milestones/{milestoneId}/retraction", new { reason = "r" }),
            ($"/api/pledges/{id}/evidence", new { evidence = Evidence }),
        };
        foreach (var (url, body) in writes)
        {
            (await app.Staff().SendAsync(Post(url, body, null), Ct)).StatusCode.ShouldBe((HttpStatusCode)428, url);
            (await app.Staff().SendAsync(Post(url, body, "\"1\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed, url);
            (await app.Staff().SendAsync(Post(url.Replace(id, "no-such-pledge"), body, "\"2\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, url);
            (await app.Anonymous().SendAsync(Post(url, body, "\"2\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, url);
        }
        (await VersionOf(id)).ShouldBe(2);
    }

    [Fact]
    public async Task Correcting_a_milestone_links_the_correction_in_the_timeline()
    {
        var (id, milestoneId) = await WithMilestoneAsync();
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones/{milestoneId}/corrections",
            new { occurredOn = "2019-11", reason = "The report says November" }, "\"2\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"3\"");

        var timeline = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct);
        var logged = timeline.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "MilestoneLogged");
        var correction = timeline.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "MilestoneCorrected");
        correction.GetProperty("corrects").GetInt64().ShouldBe(2);
        correction.GetProperty("occurredOn").GetString().ShouldBe("2019-11");
        logged.GetProperty("correctedBy").EnumerateArray().Select(v => v.GetInt64()).ShouldBe([3L]);
        logged.GetProperty("data").GetProperty("occurredOn").GetString().ShouldBe("2019-12");
    }

    [Fact]
    public async Task A_retracted_milestone_cannot_be_corrected_and_an_unknown_one_is_404()
    {
        var (id, milestoneId) = await WithMilestoneAsync();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones/{milestoneId}/retraction", new { reason = "Belongs to another pledge" }, "\"2\""), Ct))
            .EnsureSuccessStatusCode();
        var errors = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones/{milestoneId}/corrections",
            new { title = "Fixed", reason = "typo" }, "\"3\""), Ct));
        errors.TryGetProperty("milestoneId", out _).ShouldBeTrue();

        var unknown = await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones/ms-nope/corrections", new { title = "x", reason = "r" }, "\"3\""), Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await VersionOf(id)).ShouldBe(3);
        var pledge = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct);
        pledge.GetProperty("milestoneCount").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task A_retraction_without_reason_returns_400_naming_reason()
    {
        var (id, milestoneId) = await WithMilestoneAsync();
        var errors = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones/{milestoneId}/retraction", new { reason = " " }, "\"2\""), Ct));
        errors.TryGetProperty("reason", out _).ShouldBeTrue();
        (await VersionOf(id)).ShouldBe(2);
    }

    [Fact]
    public async Task Setting_a_target_date_and_revising_details_are_recorded_with_bad_input_refused()
    {
        var id = await RegisterAsync(app.Staff());
        var bad = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/target-date", new { targetDate = "soon" }, "\"1\""), Ct));
        bad.TryGetProperty("targetDate", out _).ShouldBeTrue();
        bad.TryGetProperty("reason", out _).ShouldBeTrue();
        var before = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/target-date", new { targetDate = "2014", reason = "r" }, "\"1\""), Ct));
        before.TryGetProperty("targetDate", out _).ShouldBeTrue();

        var set = await app.Staff().SendAsync(Post($"/api/pledges/{id}/target-date", new { targetDate = "2030-12", reason = "New plan" }, "\"1\""), Ct);
        set.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await set.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("targetDate").GetString().ShouldBe("2030-12");

        var tooLong = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/details", new { title = new string('x', 301), reason = "r" }, "\"2\""), Ct));
        tooLong.TryGetProperty("title", out _).ShouldBeTrue();
        var empty = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/details", new { title = "", reason = "r" }, "\"2\""), Ct));
        empty.TryGetProperty("title", out _).ShouldBeTrue();

        const string html = "<script>alert('x')</script> Focal point";
        var revised = await app.Staff().SendAsync(Post($"/api/pledges/{id}/details", new { title = html, reason = "Source wording" }, "\"2\""), Ct);
        revised.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct)).GetProperty("title").GetString().ShouldBe(html);
        (await VersionOf(id)).ShouldBe(3);
    }

    [Fact]
    public async Task Attaching_evidence_with_a_non_http_url_returns_400_naming_the_item()
    {
        var id = await RegisterAsync(app.Staff());
        var errors = await Errors(await app.Staff().SendAsync(Post($"/api/pledges/{id}/evidence",
            new { evidence = new[] { new { title = "Leak", url = "javascript:alert(1)" } } }, "\"1\""), Ct));
        errors.TryGetProperty("evidence[0].url", out _).ShouldBeTrue();
        var ok = await app.Staff().SendAsync(Post($"/api/pledges/{id}/evidence", new { evidence = Evidence, occurredOn = "2023-09" }, "\"1\""), Ct);
        ok.Headers.ETag!.Tag.ShouldBe("\"2\"");
    }

    [Fact]
    public async Task A_body_over_64_KiB_returns_413_and_appends_nothing()
    {
        var id = await RegisterAsync(app.Staff());
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/evidence")
        {
            Content = new StringContent("{\"evidence\":[{\"title\":\"" + new string('x', 70_000) + "\"}]}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await app.Staff().SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await VersionOf(id)).ShouldBe(1);
    }

    [Fact]
    public async Task A_pledge_past_its_target_date_becomes_overdue_once_even_when_checked_twice_at_once()
    {
        var id = await RegisterAsync(app.Staff());
        var monitor = (Pledges.BecomingOverdue.OverdueMonitor)app.Factory.Services.GetService(typeof(Pledges.BecomingOverdue.OverdueMonitor))!;
        // Two passes at once (as two instances would) append it once: the loser's expected version is stale.
        (await Task.WhenAll(monitor.CheckAsync(id, Ct), monitor.CheckAsync(id, Ct))).Sum().ShouldBe(1);
        (await monitor.CheckAsync(id, Ct)).ShouldBe(0);
        var events = await app.Store.QuerySession().Events.FetchStreamAsync(id, token: Ct);
        events.Count(e => e.Data is Pledges.PledgeBecameOverdue).ShouldBe(1);
        var overdue = (Pledges.PledgeBecameOverdue)events.Single(e => e.Data is Pledges.PledgeBecameOverdue).Data;
        overdue.OccurredOn.ShouldBe("2015-09-01");
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct)).GetProperty("overdue").GetBoolean().ShouldBeTrue();
    }
}
