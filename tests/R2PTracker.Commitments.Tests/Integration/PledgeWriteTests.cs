using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

public class PledgeWriteTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<long> VersionOf(string id) =>
        (await app.Store.QuerySession().Events.FetchStreamStateAsync(id, Ct))?.Version ?? 0;

    [Fact]
    public async Task Registering_a_pledge_returns_201_with_location_and_etag_and_it_can_be_read()
    {
        var id = NewId();
        var response = await app.Staff().PostAsJsonAsync("/api/pledges", NewPledge(id), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.Location!.ToString().ShouldBe($"/api/pledges/{id}");
        response.Headers.ETag!.Tag.ShouldBe("\"1\"");

        var read = await app.Anonymous().GetAsync($"/api/pledges/{id}", Ct);
        read.Headers.ETag!.Tag.ShouldBe("\"1\"");
        var pledge = await read.Content.ReadFromJsonAsync<JsonElement>(Ct);
        pledge.GetProperty("status").GetString().ShouldBe("NotYetRated");
        pledge.GetProperty("version").GetInt64().ShouldBe(1);
        pledge.GetProperty("madeOn").GetString().ShouldBe("2015-02");
        pledge.GetProperty("source").GetProperty("publisher").GetString().ShouldBe("Phnom Penh Post");
    }

    [Fact]
    public async Task Registering_an_id_that_exists_returns_409()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().PostAsJsonAsync("/api/pledges", NewPledge(id), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await VersionOf(id)).ShouldBe(1);
    }

    [Fact]
    public async Task Registering_with_bad_fields_returns_400_naming_each_and_stores_nothing()
    {
        var response = await app.Staff().PostAsJsonAsync("/api/pledges",
            new { id = "Not A Slug", title = "", country = "Cambodia", madeOn = "26 Feb 2015", source = new { title = "t" } }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        foreach (var field in new[] { "id", "title", "quote", "actor", "country", "madeOn", "source.publisher" })
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public async Task An_editor_may_not_register_pledges()
    {
        var response = await app.Staff("Eddie", "editor").PostAsJsonAsync("/api/pledges", NewPledge(NewId()), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Assessing_a_status_with_if_match_returns_the_new_etag_and_records_the_actor()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff("Sokha Editor", "editor").SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"2\"");
        var pledge = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        pledge.GetProperty("status").GetString().ShouldBe("InTheWorks");

        var timeline = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct);
        timeline.GetArrayLength().ShouldBe(2);
        timeline[1].GetProperty("type").GetString().ShouldBe("StatusAssessed");
        timeline[1].GetProperty("recordedBy").GetString().ShouldBe("Sokha Editor");
        timeline[1].GetProperty("occurredOn").GetString().ShouldBe("2023-09-16");
    }

    [Fact]
    public async Task Logging_a_milestone_keeps_a_month_precision_date()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Outreach in Svay Rieng", description = "University students", occurredOn = "2019-12", evidence = new[] { new { title = "CICP report" } } }, "\"1\""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"2\"");
        var timeline = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct);
        timeline[1].GetProperty("occurredOn").GetString().ShouldBe("2019-12");
    }

    [Fact]
    public async Task A_write_without_if_match_returns_428_and_appends_nothing()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), null), Ct);
        response.StatusCode.ShouldBe((HttpStatusCode)428);
        (await VersionOf(id)).ShouldBe(1);
    }

    [Fact]
    public async Task A_write_with_a_stale_if_match_returns_412_and_appends_nothing()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct)).EnsureSuccessStatusCode();

        var stale = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), "\"1\""), Ct);

        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        stale.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await VersionOf(id)).ShouldBe(2);
    }

    [Fact]
    public async Task Of_simultaneous_writes_with_the_same_if_match_one_lands_and_the_others_get_412()
    {
        var id = await RegisterAsync(app.Staff());
        var writes = Enumerable.Range(0, 8).Select(i => app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = $"Milestone {i}", occurredOn = "2019-12", evidence = new[] { new { title = "Report" } } }, "\"1\""), Ct));

        var statuses = (await Task.WhenAll(writes)).Select(r => r.StatusCode).ToList();

        statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(1);
        statuses.Count(s => s == HttpStatusCode.PreconditionFailed).ShouldBe(7);
        (await VersionOf(id)).ShouldBe(2);
        var verified = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/verify", Ct);
        verified.GetProperty("valid").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task A_status_change_without_a_reason_returns_400_naming_reason_and_appends_nothing()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(reason: null), "\"1\""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.TryGetProperty("reason", out _).ShouldBeTrue();
        (await VersionOf(id)).ShouldBe(1);
    }

    [Fact]
    public async Task An_unknown_status_returns_400_naming_status()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(status: "Done"), "\"1\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("status", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Writing_to_an_unknown_pledge_returns_404()
    {
        var response = await app.Staff().SendAsync(Post("/api/pledges/no-such-pledge/status", StatusChange(), "\"1\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task A_write_without_the_gateway_token_returns_401()
    {
        var id = await RegisterAsync(app.Staff());
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "r2p_a-staff-token-sent-straight-to-the-backend");
        var response = await client.SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await VersionOf(id)).ShouldBe(1);
    }

    [Fact]
    public async Task A_body_that_is_not_json_returns_415()
    {
        var id = await RegisterAsync(app.Staff());
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/status") { Content = new StringContent("status=Kept") };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await app.Staff().SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Reading_an_unknown_pledge_returns_404_problem_details()
    {
        var response = await app.Anonymous().GetAsync("/api/pledges/does-not-exist", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
