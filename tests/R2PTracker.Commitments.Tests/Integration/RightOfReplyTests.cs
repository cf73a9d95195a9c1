using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>Right of reply: a request for a response to the verdict, and the response, recorded as events on the pledge.</summary>
public class RightOfReplyTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<string> AssessedAsync()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Broken", reason: "No focal point was named"), "\"1\""), Ct))
            .EnsureSuccessStatusCode();
        return id;
    }

    private static object Request(string by = "2026-06-30", string occurredOn = "2026-05-02") =>
        new { to = "Ministry of Foreign Affairs and International Cooperation", by, note = "Sent by letter", occurredOn };

    private static object Reply(string requestId = "reply-1", string repliedOn = "2026-05-20") =>
        new { requestId, onBehalfOf = "Ministry of Foreign Affairs", text = "A focal point will be named after the review.", repliedOn,
            source = new { title = "Letter to the monitor", publisher = "MFAIC" } };

    [Fact]
    public async Task A_request_and_its_reply_stand_on_the_record_beside_the_verdict_they_answer_and_in_the_timeline()
    {
        var id = await AssessedAsync();
        var requested = await OkAsync(await app.Staff("Chan Sophea").SendAsync(Post($"/api/pledges/{id}/reply-requests", Request(), "\"2\""), Ct));
        var request = requested.GetProperty("replyRequests").EnumerateArray().Single();
        request.GetProperty("id").GetString().ShouldBe("reply-1");
        request.GetProperty("verdict").GetString().ShouldBe("Broken");
        request.GetProperty("by").GetString().ShouldBe("2026-06-30");
        request.GetProperty("requestedBy").GetString().ShouldBe("Chan Sophea");
        request.GetProperty("reply").ValueKind.ShouldBe(JsonValueKind.Null);

        var replied = await OkAsync(await app.Staff().SendAsync(Post($"/api/pledges/{id}/replies", Reply(), "\"3\""), Ct));
        var reply = replied.GetProperty("replyRequests")[0].GetProperty("reply");
        reply.GetProperty("onBehalfOf").GetString().ShouldBe("Ministry of Foreign Affairs");
        reply.GetProperty("repliedOn").GetString().ShouldBe("2026-05-20");
        reply.GetProperty("source").GetProperty("publisher").GetString().ShouldBe("MFAIC");

        var timeline = (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct)).EnumerateArray().ToList();
        timeline.ShouldContain(e => e.GetProperty("type").GetString() == "ReplyRequested" && e.GetProperty("targetDate").GetString() == "2026-06-30");
        timeline.ShouldContain(e => e.GetProperty("type").GetString() == "ReplyRecorded" && e.GetProperty("title").GetString() == "Ministry of Foreign Affairs");

        // As of a day between the request and the reply, the request stands unanswered; on both axes afterwards, answered.
        var between = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}?asOf=2026-05-10", Ct);
        between.GetProperty("replyRequests")[0].GetProperty("reply").ValueKind.ShouldBe(JsonValueKind.Null);
        var after = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}?asOf=2026-05-31", Ct);
        after.GetProperty("replyRequests")[0].GetProperty("reply").GetProperty("text").GetString().ShouldStartWith("A focal point");
    }

    public static TheoryData<string, object, string, string> BadInputs => new()
    {
        { "reply-requests", new { by = "2026-06-30" }, "\"2\"", "to" },
        { "reply-requests", new { to = "MFAIC" }, "\"2\"", "by" },
        { "reply-requests", new { to = "MFAIC", by = "30 June" }, "\"2\"", "by" },
        { "reply-requests", Request(by: "2026-04", occurredOn: "2026-05-02"), "\"2\"", "by" },
        { "reply-requests", Request(occurredOn: "2099-01-01"), "\"2\"", "occurredOn" },
        { "replies", Reply(requestId: "reply-9"), "\"3\"", "requestId" },
        { "replies", new { requestId = "reply-1", text = "x" }, "\"3\"", "onBehalfOf" },
        { "replies", Reply(repliedOn: "2026-05-01"), "\"3\"", "repliedOn" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task A_bad_request_or_reply_is_a_400_problem_naming_the_field_and_appends_nothing(string route, object body, string ifMatch, string field)
    {
        var id = await AssessedAsync();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/reply-requests", Request(), "\"2\""), Ct)).EnsureSuccessStatusCode();
        var before = (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct)).GetProperty("version").GetInt64();
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/{route}", body, route == "replies" ? ifMatch : "\"3\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync(Ct));
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct)).GetProperty("version").GetInt64().ShouldBe(before);
    }

    [Fact]
    public async Task A_second_reply_to_the_same_request_is_refused_and_a_write_needs_staff_and_if_match()
    {
        var id = await AssessedAsync();
        (await app.Anonymous().SendAsync(Post($"/api/pledges/{id}/reply-requests", Request(), "\"2\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/reply-requests", Request(), null), Ct)).StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/reply-requests", Request(), "\"2\""), Ct)).EnsureSuccessStatusCode();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/replies", Reply(), "\"3\""), Ct)).EnsureSuccessStatusCode();
        var again = await app.Staff().SendAsync(Post($"/api/pledges/{id}/replies", Reply(), "\"4\""), Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("requestId", out _).ShouldBeTrue();
    }
}
