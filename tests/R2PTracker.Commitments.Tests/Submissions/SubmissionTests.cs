using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using R2PTracker.Commitments.Submissions;
using R2PTracker.Commitments.Tests.Integration;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Submissions;

/// <summary>Evidence from the public: submitted, confirmed, moderated — and nothing of it public before it is accepted.</summary>
public class SubmissionTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Submission(string text = "The focal point was named in a decree of 2016.", string[]? links = null, string? name = null,
        string? email = null, string? website = null) =>
        new { text, links = links ?? ["https://cicp.org.kh/spotlight-r2p"], name, email, website };

    private async Task<JsonElement> SubmitAsync(string pledgeId, object body)
    {
        var response = await app.Anonymous().PostAsJsonAsync($"/api/pledges/{pledgeId}/submissions", body, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<JsonElement?> StatusAsync(string token)
    {
        var response = await app.Anonymous().GetAsync($"/api/submissions/status/{token}", Ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<List<JsonElement>> QueueAsync(string pledgeId, string state = "queued") =>
        (await app.Staff().GetFromJsonAsync<JsonElement>($"/api/submissions?state={state}&pledgeId={pledgeId}", Ct))
        .GetProperty("items").EnumerateArray().ToList();

    private async Task<long> VersionAsync(string id) =>
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct)).GetProperty("version").GetInt64();

    [Fact]
    public async Task A_submission_without_an_email_enters_the_queue_at_once_and_its_private_link_tells_its_state()
    {
        var id = await RegisterAsync(app.Staff());
        var receipt = await SubmitAsync(id, Submission(name: "Sok Dara"));
        receipt.GetProperty("state").GetString().ShouldBe("queued");
        var token = receipt.GetProperty("statusToken").GetString()!;
        receipt.GetProperty("statusUrl").GetString().ShouldBe($"/submissions/status/{token}");

        var status = (await StatusAsync(token))!.Value;
        status.GetProperty("state").GetString().ShouldBe("queued");
        status.GetProperty("pledgeId").GetString().ShouldBe(id);
        var queued = (await QueueAsync(id)).ShouldHaveSingleItem();
        queued.GetProperty("name").GetString().ShouldBe("Sok Dara");
        queued.GetProperty("links")[0].GetString().ShouldBe("https://cicp.org.kh/spotlight-r2p");

        (await app.Anonymous().GetAsync("/api/submissions", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await StatusAsync("not-the-token-of-any-submission-at-all")).ShouldBeNull();
    }

    [Fact]
    public async Task A_submission_with_an_email_counts_only_once_confirmed_and_the_address_is_in_no_answer()
    {
        var id = await RegisterAsync(app.Staff());
        var receipt = await SubmitAsync(id, Submission(email: "reader@example.org"));
        receipt.GetProperty("state").GetString().ShouldBe("awaitingConfirmation");
        var submissionId = receipt.GetProperty("id").GetGuid();
        (await QueueAsync(id)).ShouldBeEmpty();
        (await QueueAsync(id, "awaitingConfirmation")).ShouldHaveSingleItem().GetRawText().ShouldNotContain("reader@example.org");

        // The token is the one the confirmation mail carries (the mail itself: the end-to-end tests).
        await using var session = app.Factory.Services.GetRequiredService<ISubmissionStore>().QuerySession();
        var contact = (await session.LoadAsync<SubmissionContact>(submissionId, Ct))!;
        contact.Email.ShouldBe("reader@example.org");
        (await app.Anonymous().PostAsync($"/api/submissions/{submissionId}/confirmation?token=wrong", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Anonymous().GetStringAsync($"/api/submissions/{submissionId}/confirmation?token={contact.ConfirmToken}", Ct))
            .ShouldContain("Confirm my submission");
        (await QueueAsync(id)).ShouldBeEmpty("a GET (a mail scanner's pre-fetch) confirms nothing");
        (await app.Anonymous().PostAsync($"/api/submissions/{submissionId}/confirmation?token={contact.ConfirmToken}", null, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        (await QueueAsync(id)).ShouldHaveSingleItem().GetProperty("confirmed").GetBoolean().ShouldBeTrue();
        var status = (await StatusAsync(receipt.GetProperty("statusToken").GetString()!))!.Value;
        status.GetProperty("state").GetString().ShouldBe("queued");
        status.GetRawText().ShouldNotContain("reader@example.org");
    }

    [Fact]
    public async Task Accepted_as_a_milestone_it_is_a_credited_milestone_on_the_public_record_and_is_accepted_once()
    {
        var id = await RegisterAsync(app.Staff());
        var receipt = await SubmitAsync(id, Submission(name: "Sok Dara"));
        var submissionId = receipt.GetProperty("id").GetGuid();
        var accept = new { @as = "milestone", title = "Focal point named", occurredOn = "2016" };

        (await app.Staff().SendAsync(Post($"/api/submissions/{submissionId}/acceptance", accept, "\"9\""), Ct)).StatusCode
            .ShouldBe(HttpStatusCode.PreconditionFailed, "the If-Match is the pledge's");
        var accepted = await app.Staff("Chan Sophea").SendAsync(Post($"/api/submissions/{submissionId}/acceptance", accept, "\"1\""), Ct);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync(Ct));
        accepted.Headers.ETag!.Tag.ShouldBe("\"2\"");

        var timeline = (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct)).EnumerateArray().ToList();
        var milestone = timeline.Single(e => e.GetProperty("type").GetString() == "MilestoneLogged");
        milestone.GetProperty("title").GetString().ShouldBe("Focal point named");
        milestone.GetProperty("summary").GetString().ShouldBe("The focal point was named in a decree of 2016.");
        milestone.GetProperty("recordedBy").GetString().ShouldBe("Chan Sophea");
        milestone.GetProperty("credit").GetProperty("name").GetString().ShouldBe("Sok Dara");
        milestone.GetProperty("evidence")[0].GetProperty("url").GetString().ShouldBe("https://cicp.org.kh/spotlight-r2p");

        var status = (await StatusAsync(receipt.GetProperty("statusToken").GetString()!))!.Value;
        status.GetProperty("state").GetString().ShouldBe("accepted");
        status.GetProperty("milestoneId").GetString().ShouldBe(milestone.GetProperty("milestoneId").GetString());
        (await app.Staff().SendAsync(Post($"/api/submissions/{submissionId}/acceptance", accept, "\"2\""), Ct)).StatusCode
            .ShouldBe(HttpStatusCode.Conflict);
        (await VersionAsync(id)).ShouldBe(2);
    }

    [Fact]
    public async Task Accepted_as_evidence_on_a_milestone_it_credits_an_anonymous_submitter_without_a_name()
    {
        var id = await RegisterAsync(app.Staff());
        var logged = await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Training", occurredOn = "2023-09-16", evidence = new[] { new { title = "CICP", url = "https://cicp.org.kh/a" } } }, "\"1\""), Ct);
        var milestoneId = (await logged.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("milestones")[0].GetProperty("id").GetString();
        var submissionId = (await SubmitAsync(id, Submission(links: ["https://example.org/photo"]))).GetProperty("id").GetGuid();

        var missing = await app.Staff().SendAsync(Post($"/api/submissions/{submissionId}/acceptance", new { @as = "evidence", milestoneId = "ms-none" }, "\"2\""), Ct);
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("milestoneId", out _).ShouldBeTrue();
        (await app.Staff().SendAsync(Post($"/api/submissions/{submissionId}/acceptance", new { @as = "evidence", milestoneId }, "\"2\""), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var attached = (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct)).EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "EvidenceAttached");
        attached.GetProperty("milestoneId").GetString().ShouldBe(milestoneId);
        attached.GetProperty("credit").GetProperty("submissionId").GetString().ShouldBe(submissionId.ToString());
        attached.GetProperty("credit").GetProperty("name").ValueKind.ShouldBe(JsonValueKind.Null);
        attached.GetProperty("evidence")[0].GetProperty("url").GetString().ShouldBe("https://example.org/photo");
    }

    [Fact]
    public async Task Rejected_its_reason_is_read_at_the_private_link_and_nothing_public_changed()
    {
        var id = await RegisterAsync(app.Staff());
        var marker = "submitted-" + Guid.NewGuid().ToString("N");
        var receipt = await SubmitAsync(id, Submission(text: $"Not about this pledge {marker}", name: marker));
        var submissionId = receipt.GetProperty("id").GetGuid();
        var empty = await app.Staff().PostAsJsonAsync($"/api/submissions/{submissionId}/rejection", new { reason = " " }, Ct);
        (await empty.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue();
        (await app.Staff().PostAsJsonAsync($"/api/submissions/{submissionId}/rejection", new { reason = "It concerns another pledge." }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.Staff().PostAsJsonAsync($"/api/submissions/{submissionId}/rejection", new { reason = "Twice" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var status = (await StatusAsync(receipt.GetProperty("statusToken").GetString()!))!.Value;
        status.GetProperty("state").GetString().ShouldBe("rejected");
        status.GetProperty("reason").GetString().ShouldBe("It concerns another pledge.");
        (await QueueAsync(id, "rejected")).ShouldHaveSingleItem().GetProperty("moderatedBy").GetString().ShouldBe("Alice Editor");

        // A staff write after it, whose marker the public record does show: the submission's is in none of it.
        var staffMarker = "staff-" + Guid.NewGuid().ToString("N");
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = staffMarker, occurredOn = "2023", evidence = new[] { new { title = "CICP" } } }, "\"1\""), Ct)).EnsureSuccessStatusCode();
        (await VersionAsync(id)).ShouldBe(2);
        foreach (var url in new[] { $"/api/pledges/{id}/timeline", $"/api/pledges/{id}/history", $"/feeds/pledges/{id}.atom", "/feeds/pledges.atom",
                     "/api/export/events.ndjson", $"/api/pledges/{id}" })
        {
            var body = await app.Anonymous().GetStringAsync(url, Ct);
            body.ShouldContain(staffMarker, Case.Sensitive, url);
            body.ShouldNotContain(marker, Case.Sensitive, url);
        }
        // Not a row of the submission in the pledges' event table, nor in the transparency log, once the log has the staff write.
        await using var db = NpgsqlDataSource.Create(app.ConnectionString);
        for (var attempt = 0; attempt < 150 && await CountAsync(db, "commitments.log_entries", id) < 2; attempt++) await Task.Delay(100, Ct);
        (await CountAsync(db, "commitments.log_entries", id)).ShouldBe(2);
        (await CountAsync(db, "commitments.log_entries", submissionId.ToString())).ShouldBe(0);
        (await CountAsync(db, "commitments.mt_events", submissionId.ToString())).ShouldBe(0);
        (await CountAsync(db, "submissions.mt_events", submissionId.ToString())).ShouldBe(2, "the submission's own stream holds it");
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string table, string streamId)
    {
        await using var cmd = db.CreateCommand($"select count(*) from {table} where stream_id::text = $1");
        cmd.Parameters.AddWithValue(streamId);
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    public static TheoryData<string, string> BadSubmissions => new()
    {
        { """{"links":["https://example.org"]}""", "text" },
        { $$"""{"text":"{{new string('x', 5001)}}"}""", "text" },
        { """{"text":"t","links":["https://a.org/1","https://a.org/2","https://a.org/3","https://a.org/4","https://a.org/5","https://a.org/6"]}""", "links" },
        { """{"text":"t","links":["javascript:alert(1)"]}""", "links[0]" },
        { """{"text":"t","links":["https://a.org/1","ftp://a.org/2"]}""", "links[1]" },
        { $$"""{"text":"t","links":["https://a.org/{{new string('x', 2000)}}"]}""", "links[0]" },
        { """{"text":"t","email":"not an address"}""", "email" },
        { $$"""{"text":"t","name":"{{new string('n', 101)}}"}""", "name" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task A_bad_submission_is_a_400_problem_naming_the_field_and_nothing_is_kept(string body, string field)
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Anonymous().PostAsync($"/api/pledges/{id}/submissions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync(Ct));
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await QueueAsync(id)).ShouldBeEmpty();
        (await QueueAsync(id, "awaitingConfirmation")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_submission_on_an_unknown_pledge_is_a_404()
    {
        var response = await app.Anonymous().PostAsJsonAsync("/api/pledges/no-such-pledge/submissions", Submission(), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_filled_honeypot_is_answered_like_a_submission_but_nothing_is_kept()
    {
        var id = await RegisterAsync(app.Staff());
        var receipt = await SubmitAsync(id, Submission(website: "https://spam.example"));
        receipt.GetProperty("state").GetString().ShouldBe("queued");
        (await StatusAsync(receipt.GetProperty("statusToken").GetString()!)).ShouldBeNull();
        (await QueueAsync(id)).ShouldBeEmpty();
        await SubmitAsync(id, Submission(website: ""));
        (await QueueAsync(id)).ShouldHaveSingleItem("an empty honeypot is a person's");
    }

    [Fact]
    public async Task The_queue_is_paged_and_refuses_an_unknown_state()
    {
        var id = await RegisterAsync(app.Staff());
        for (var i = 0; i < 3; i++) await SubmitAsync(id, Submission(text: $"Item {i}"));
        var first = await app.Staff().GetFromJsonAsync<JsonElement>($"/api/submissions?pledgeId={id}&limit=2", Ct);
        first.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("text").GetString()).ShouldBe(["Item 0", "Item 1"]);
        var next = first.GetProperty("next").GetString();
        var second = await app.Staff().GetFromJsonAsync<JsonElement>($"/api/submissions?pledgeId={id}&limit=2&cursor={next}", Ct);
        second.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("text").GetString()).ShouldBe(["Item 2"]);
        second.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
        var bad = await app.Staff().GetAsync("/api/submissions?state=pending", Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("state", out _).ShouldBeTrue();
    }
}
