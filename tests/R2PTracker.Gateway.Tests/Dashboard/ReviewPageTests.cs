using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using R2PTracker.Testing;
using R2PTracker.ServiceDefaults;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>The review desk on the dashboard: the queue page, and the open proposal on a pledge's page, for staff only.</summary>
public class ReviewPageTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pledge = "kh-r2p-reviewed";
    private const string Proposer = "Proposing Pich";

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await GatewayVariant.StartAsync(app);
        _gateway.Backend.Answers[$"/api/pledges/{Pledge}"] = new BackendAnswer(200,
            $$"""{"id":"{{Pledge}}","title":"Appoint a national focal point","status":"Stalled","progress":0,"version":7,"milestoneCount":0}""");
        _gateway.Backend.Answers[$"/api/pledges/{Pledge}/timeline"] = new BackendAnswer(200,
            $$"""
              [{"version":5,"type":"StatusAssessed","occurredOn":"2020","recordedAt":"2026-12-01T00:00:00Z","recordedBy":"Dara Reviewer",
                "statusFrom":"NotYetRated","status":"Stalled","reason":"No progress","evidence":[],"retracted":false,
                "proposedBy":"Sokha Proposer","approvedBy":["Dara Reviewer"]},
               {"version":7,"type":"StatusProposed","occurredOn":"2026-12-04","recordedAt":"2026-12-04T00:00:00Z","recordedBy":"{{Proposer}}",
                "title":"Broken","summary":"No focal point was named","evidence":[],"retracted":false}]
              """);
        _gateway.Backend.Answers["/api/proposals"] = new BackendAnswer(200,
            $$"""
              [{"proposal":{"pledgeId":"{{Pledge}}","proposalId":"proposal-7","version":7,"from":"Stalled","status":"Broken",
                "reason":"No focal point was named","evidence":[{"title":"CICP report","url":"https://cicp.org.kh/"}],"occurredOn":"2026-12-04",
                "proposedBy":"{{Proposer}}","proposedOn":"2026-12-04","approvedBy":[]},
                "title":"Appoint a national focal point","currentStatus":"Stalled"}]
              """);
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpClient> SignedInAsync(string name, string address)
    {
        var token = await app.Staff.AddAsync(name, "editor", "tests", Ct);
        var client = _gateway.Client(address);
        (await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    private static async Task<string> HtmlAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
    }

    private static string ApprovalForm(string proposal) =>
        $"""action="/api/pledges/{Pledge}/proposals/{proposal}/approval" class="review" data-pledge-id="{Pledge}" data-proposal="{proposal}" data-action="approval">""";

    [Fact]
    public async Task The_review_desk_lists_open_proposals_with_approve_and_reject_forms_read_with_the_staff_members_token()
    {
        var client = await SignedInAsync("Approving Ana", "192.0.2.81");
        var html = await HtmlAsync(client, "/review");
        html.ShouldContain("Proposed verdict: Stalled → Promise broken");
        html.ShouldContain($"Proposed by {Proposer} on 4 December 2026.");
        html.ShouldContain(ApprovalForm("proposal-7"));
        html.ShouldContain($"""action="/api/pledges/{Pledge}/proposals/proposal-7/rejection" class="review" """.TrimEnd());
        // commitments' queue is a staff read: asked with an internal token naming the staff member.
        var asked = _gateway.Backend.Requests.Last(r => r.Path == "/api/proposals");
        var bearer = asked.Header("Authorization").ShouldNotBeNull();
        bearer.ShouldStartWith("Bearer ");
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(bearer["Bearer ".Length..],
            InternalAuth.ValidationParameters(InternalAuth.KeyFrom(TestEnvironment.SigningKey), InternalAuth.Audiences.Commitments));
        validated.IsValid.ShouldBeTrue();
        validated.Claims[InternalAuth.NameClaim].ShouldBe("Approving Ana");

        (await HtmlAsync(client, "/review?lang=km")).ShouldContain("ការវាយតម្លៃដែលបានស្នើ");
    }

    [Fact]
    public async Task The_review_desk_sends_a_reader_to_sign_in()
    {
        var response = await _gateway.Client("192.0.2.82").GetAsync("/review", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldStartWith("/sign-in?returnUrl=%2Freview");
    }

    [Fact]
    public async Task A_pledge_page_shows_its_open_proposal_to_staff_and_the_proposer_gets_no_approve_button()
    {
        var reviewer = await SignedInAsync("Reviewing Rina", "192.0.2.83");
        var html = await HtmlAsync(reviewer, $"/pledges/{Pledge}");
        html.ShouldContain("""id="open-proposal" """.TrimEnd());
        html.ShouldContain(ApprovalForm("proposal-7"));

        var proposer = await SignedInAsync(Proposer, "192.0.2.84");
        var own = await HtmlAsync(proposer, $"/pledges/{Pledge}");
        own.ShouldContain("You proposed this verdict: another editor must approve it.");
        own.ShouldNotContain(ApprovalForm("proposal-7"));

        var reader = await HtmlAsync(_gateway.Client("192.0.2.85"), $"/pledges/{Pledge}");
        reader.ShouldNotContain("open-proposal");
        // A verdict decided by review names both editors, in each language.
        reader.ShouldContain("Proposed by Sokha Proposer; approved by Dara Reviewer.");
        reader.ShouldContain("Verdict proposed: Promise broken");
        (await HtmlAsync(_gateway.Client("192.0.2.85"), $"/pledges/{Pledge}?lang=km")).ShouldContain("ស្នើដោយ Sokha Proposer; អនុម័តដោយ Dara Reviewer។");
    }
}
