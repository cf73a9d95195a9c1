using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>
/// A host with two-person review as shipped (Review:VerdictApprovals 1, whatever the assembly's fixture sets),
/// on the same database as the other tests.
/// </summary>
public class ReviewedApp(CommitmentsApp app) : IAsyncLifetime
{
    /// <summary>Review:VerdictApprovals for this host.</summary>
    protected virtual string Approvals => "1";

    private WebApplicationFactory<Program>? _factory;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public ValueTask InitializeAsync()
    {
        _factory = app.Factory.WithWebHostBuilder(b => b.ConfigureAppConfiguration((_, c) =>
            c.AddInMemoryCollection(new Dictionary<string, string?> { ["Review:VerdictApprovals"] = Approvals })));
        _ = _factory.Server;
        return ValueTask.CompletedTask;
    }

    public HttpClient Editor(string name) => CommitmentsApp.StaffOf(Factory, name, "editor");

    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>Registration is for admins.</summary>
    public HttpClient Admin() => CommitmentsApp.StaffOf(Factory, "Arun Admin", "admin");

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }
}

/// <summary>Two-person review of verdicts: a verdict is proposed by one editor and appended when another approves it.</summary>
public class ReviewTests(ReviewedApp review) : IClassFixture<ReviewedApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Proposer = "Sokha Proposer";
    private const string Reviewer = "Dara Reviewer";

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(expected, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<(string Id, string ProposalId)> ProposedAsync(string status = "Broken", string etag = "\"1\"", string? id = null)
    {
        id ??= await RegisterAsync(review.Admin());
        var proposed = await JsonOf(await review.Editor(Proposer).SendAsync(
            Post($"/api/pledges/{id}/status", StatusChange(status, reason: "No focal point was named"), etag), Ct), HttpStatusCode.Accepted);
        return (id, proposed.GetProperty("proposalId").GetString()!);
    }

    private Task<HttpResponseMessage> ApproveAsync(string id, string proposalId, string who = Reviewer) =>
        review.Editor(who).PostAsync($"/api/pledges/{id}/proposals/{proposalId}/approval", null, Ct);

    private Task<HttpResponseMessage> RejectAsync(string id, string proposalId, object body, string who = Reviewer) =>
        review.Editor(who).PostAsJsonAsync($"/api/pledges/{id}/proposals/{proposalId}/rejection", body, Ct);

    private async Task<JsonElement> PledgeAsync(string id) => await review.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct);

    private async Task<List<JsonElement>> QueueAsync(string? query = null) =>
        (await JsonOf(await review.Editor(Reviewer).GetAsync("/api/proposals" + query, Ct), HttpStatusCode.OK)).EnumerateArray().ToList();

    [Fact]
    public async Task A_verdict_is_a_proposal_until_a_second_editor_approves_it_and_then_names_both()
    {
        var id = await RegisterAsync(review.Admin());
        var response = await review.Editor(Proposer).SendAsync(
            Post($"/api/pledges/{id}/status", StatusChange("Broken", reason: "No focal point was named"), "\"1\""), Ct);
        var proposed = await JsonOf(response, HttpStatusCode.Accepted);
        proposed.GetProperty("status").GetString().ShouldBe("proposed");
        var proposalId = proposed.GetProperty("proposalId").GetString()!;
        proposalId.ShouldBe("proposal-2");
        response.Headers.ETag!.Tag.ShouldBe("\"2\"");
        // Nothing public changes: the pledge is as it was, and the proposal waits in the queue.
        (await PledgeAsync(id)).GetProperty("status").GetString().ShouldBe("NotYetRated");
        var queued = (await QueueAsync("?limit=500")).Single(q => q.GetProperty("proposal").GetProperty("pledgeId").GetString() == id);
        queued.GetProperty("proposal").GetProperty("status").GetString().ShouldBe("Broken");
        queued.GetProperty("proposal").GetProperty("proposedBy").GetString().ShouldBe(Proposer);
        queued.GetProperty("currentStatus").GetString().ShouldBe("NotYetRated");

        var approved = await JsonOf(await ApproveAsync(id, proposalId), HttpStatusCode.OK);
        approved.GetProperty("status").GetString().ShouldBe("Broken");
        approved.GetProperty("statusReason").GetString().ShouldBe("No focal point was named");
        (await PledgeAsync(id)).GetProperty("status").GetString().ShouldBe("Broken");

        var timeline = (await review.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct)).EnumerateArray().ToList();
        timeline.ShouldContain(e => e.GetProperty("type").GetString() == "StatusProposed" && e.GetProperty("recordedBy").GetString() == Proposer);
        var verdict = timeline.Single(e => e.GetProperty("type").GetString() == "StatusAssessed");
        verdict.GetProperty("status").GetString().ShouldBe("Broken");
        verdict.GetProperty("proposedBy").GetString().ShouldBe(Proposer);
        verdict.GetProperty("approvedBy").EnumerateArray().Select(a => a.GetString()).ShouldBe([Reviewer]);
        verdict.GetProperty("data").GetProperty("proposedBy").GetString().ShouldBe(Proposer);
        verdict.GetProperty("data").GetProperty("approvedBy").EnumerateArray().Select(a => a.GetString()).ShouldBe([Reviewer]);
        verdict.GetProperty("data").GetProperty("proposalId").GetString().ShouldBe(proposalId);
        (await QueueAsync("?limit=500")).ShouldNotContain(q => q.GetProperty("proposal").GetProperty("pledgeId").GetString() == id);

        // Both names are in the pledge's feed too, in each language.
        var feed = await review.Anonymous().GetStringAsync($"/feeds/pledges/{id}.atom", Ct);
        feed.ShouldContain($"Proposed by {Proposer}; approved by {Reviewer}.");
        feed.ShouldNotContain("Verdict proposed");
    }

    [Fact]
    public async Task The_proposer_cannot_approve_their_own_proposal()
    {
        var (id, proposalId) = await ProposedAsync();
        var refused = await JsonOf(await ApproveAsync(id, proposalId, Proposer), HttpStatusCode.Forbidden);
        refused.GetProperty("detail").GetString()!.ShouldContain("another editor");
        (await PledgeAsync(id)).GetProperty("status").GetString().ShouldBe("NotYetRated");
        // Still open for another editor.
        await JsonOf(await ApproveAsync(id, proposalId), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_newer_proposal_makes_the_older_one_stale()
    {
        var (id, first) = await ProposedAsync("Broken");
        var (_, second) = await ProposedAsync("Compromise", "\"2\"", id);
        second.ShouldBe("proposal-3");
        var stale = await JsonOf(await ApproveAsync(id, first), HttpStatusCode.Conflict);
        stale.GetProperty("openProposalId").GetString().ShouldBe(second);
        await JsonOf(await RejectAsync(id, first, new { reason = "Too late" }), HttpStatusCode.Conflict);
        (await JsonOf(await ApproveAsync(id, second), HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("Compromise");
        // Once decided, the proposal is closed too.
        await JsonOf(await ApproveAsync(id, second, "Third Editor"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Another_write_to_the_pledge_after_a_proposal_makes_it_stale()
    {
        var (id, proposalId) = await ProposedAsync("Kept");
        // A progress step is direct, and changes the pledge the proposal judged.
        (await review.Editor(Reviewer).SendAsync(Post($"/api/pledges/{id}/progress",
            new { progress = 40, reason = "Half the provinces", evidence = new[] { new { title = "CICP", url = "https://cicp.org.kh/" } } }, "\"2\""), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var stale = await JsonOf(await ApproveAsync(id, proposalId), HttpStatusCode.Conflict);
        stale.GetProperty("detail").GetString()!.ShouldContain("version 3");
        (await PledgeAsync(id)).GetProperty("status").GetString().ShouldBe("NotYetRated");
        (await QueueAsync("?limit=500")).ShouldNotContain(q => q.GetProperty("proposal").GetProperty("pledgeId").GetString() == id);
    }

    [Fact]
    public async Task A_rejection_is_recorded_with_its_reason_and_who_and_leaves_the_status()
    {
        var (id, proposalId) = await ProposedAsync();
        var invalid = await JsonOf(await RejectAsync(id, proposalId, new { reason = " " }), HttpStatusCode.BadRequest);
        invalid.GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue();
        await JsonOf(await RejectAsync(id, proposalId, new { reason = "The evidence predates the review" }), HttpStatusCode.OK);
        (await PledgeAsync(id)).GetProperty("status").GetString().ShouldBe("NotYetRated");
        var timeline = (await review.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct)).EnumerateArray().ToList();
        var rejected = timeline.Single(e => e.GetProperty("type").GetString() == "ProposalRejected");
        rejected.GetProperty("reason").GetString().ShouldBe("The evidence predates the review");
        rejected.GetProperty("recordedBy").GetString().ShouldBe(Reviewer);
        rejected.GetProperty("data").GetProperty("proposalId").GetString().ShouldBe(proposalId);
        await JsonOf(await ApproveAsync(id, proposalId), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task InTheWorks_and_Stalled_stay_direct()
    {
        var id = await RegisterAsync(review.Admin());
        (await JsonOf(await review.Editor(Proposer).SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), "\"1\""), Ct), HttpStatusCode.OK))
            .GetProperty("status").GetString().ShouldBe("Stalled");
    }

    [Fact]
    public async Task Unknown_proposals_bad_queries_and_anonymous_callers_are_refused()
    {
        var (id, _) = await ProposedAsync();
        await JsonOf(await ApproveAsync(id, "proposal-1"), HttpStatusCode.NotFound); // version 1 is the registration
        await JsonOf(await ApproveAsync(id, "nonsense"), HttpStatusCode.NotFound);
        await JsonOf(await ApproveAsync("no-such-pledge", "proposal-2"), HttpStatusCode.NotFound);
        (await JsonOf(await RejectAsync(id, "proposal-2", new { }), HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue();
        (await JsonOf(await review.Editor(Reviewer).GetAsync("/api/proposals?limit=0", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("limit", out _).ShouldBeTrue();
        (await JsonOf(await review.Editor(Reviewer).GetAsync("/api/proposals?cursor=xyz", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("cursor", out _).ShouldBeTrue();
        (await JsonOf(await review.Editor(Reviewer).GetAsync("/api/proposals?status=Kept", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").TryGetProperty("status", out _).ShouldBeTrue();
        (await review.Anonymous().GetAsync("/api/proposals", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await review.Anonymous().PostAsync($"/api/pledges/{id}/proposals/proposal-2/approval", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_queue_pages_by_cursor_oldest_first()
    {
        await ProposedAsync();
        await ProposedAsync();
        var first = await review.Editor(Reviewer).GetAsync("/api/proposals?limit=1", Ct);
        var page = await JsonOf(first, HttpStatusCode.OK);
        page.GetArrayLength().ShouldBe(1);
        var next = first.Headers.GetValues("Link").Single();
        var url = next[1..next.IndexOf('>')];
        var second = (await JsonOf(await review.Editor(Reviewer).GetAsync(url, Ct), HttpStatusCode.OK)).EnumerateArray().Single();
        var (a, b) = (page[0].GetProperty("proposal"), second.GetProperty("proposal"));
        b.GetProperty("pledgeId").GetString().ShouldNotBe(a.GetProperty("pledgeId").GetString());
        b.GetProperty("proposedAt").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(a.GetProperty("proposedAt").GetDateTimeOffset());
    }
}

/// <summary>A host whose verdicts need two approvals.</summary>
public sealed class TwiceReviewedApp(CommitmentsApp app) : ReviewedApp(app)
{
    protected override string Approvals => "2";
}

/// <summary>Review:VerdictApprovals 2: an approval short of the setting is recorded, and the one that reaches it appends the verdict.</summary>
public class TwoApprovalReviewTests(TwiceReviewedApp review) : IClassFixture<TwiceReviewedApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<HttpResponseMessage> ApproveAsync(string id, string proposalId, string who) =>
        review.Editor(who).PostAsync($"/api/pledges/{id}/proposals/{proposalId}/approval", null, Ct);

    private async Task<string> StatusAsync(string id) =>
        (await review.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct)).GetProperty("status").GetString()!;

    [Fact]
    public async Task The_first_approval_is_recorded_the_same_editor_cannot_approve_twice_and_the_second_editor_publishes_the_verdict()
    {
        var id = await RegisterAsync(review.Admin());
        var proposed = await review.Editor("Sokha Proposer").SendAsync(
            Post($"/api/pledges/{id}/status", StatusChange("Kept", reason: "The focal point was named"), "\"1\""), Ct);
        proposed.StatusCode.ShouldBe(HttpStatusCode.Accepted, await proposed.Content.ReadAsStringAsync(Ct));
        var proposalId = (await proposed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("proposalId").GetString()!;

        var first = await ApproveAsync(id, proposalId, "Dara Reviewer");
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync(Ct));
        (await StatusAsync(id)).ShouldBe("NotYetRated");
        (await ApproveAsync(id, proposalId, "Dara Reviewer")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ApproveAsync(id, proposalId, "Sokha Proposer")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var second = await ApproveAsync(id, proposalId, "Chan Reviewer");
        second.StatusCode.ShouldBe(HttpStatusCode.OK, await second.Content.ReadAsStringAsync(Ct));
        (await StatusAsync(id)).ShouldBe("Kept");
        var timeline = (await review.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Ct)).EnumerateArray().ToList();
        timeline.Select(e => e.GetProperty("type").GetString()).ShouldContain("ProposalApproved");
        var verdict = timeline.Single(e => e.GetProperty("type").GetString() == "StatusAssessed");
        verdict.GetProperty("proposedBy").GetString().ShouldBe("Sokha Proposer");
        verdict.GetProperty("approvedBy").EnumerateArray().Select(a => a.GetString()).ShouldBe(["Dara Reviewer", "Chan Reviewer"]);
    }
}
