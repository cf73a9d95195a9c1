using System.Net;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>Right of reply on the pledge page: beside the verdict, the reply given, the reply awaited, or that none came by the deadline.</summary>
public class PledgePageReplyTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pledge = "kh-r2p-replied";

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await GatewayVariant.StartAsync(app);
        _gateway.Backend.Answers[$"/api/pledges/{Pledge}"] = new BackendAnswer(200,
            $$$"""
              {"id":"{{{Pledge}}}","title":"Appoint a national focal point","quote":"A focal point","status":"Broken","statusSince":"2024-02",
               "statusReason":"No focal point was named","progress":0,"version":6,"milestoneCount":0,"actor":"Royal Government of Cambodia",
               "replyRequests":[
                 {"id":"reply-1","to":"Earlier office","by":"2020-01-31","verdict":"Stalled","verdictSince":"2019","requestedOn":"2019-12-01","reply":null},
                 {"id":"reply-2","to":"Ministry of Foreign Affairs","by":"2024-03-31","verdict":"Broken","verdictSince":"2024-02","requestedOn":"2024-02-10",
                  "reply":{"onBehalfOf":"MFAIC","text":"A focal point will be named after the review.","repliedOn":"2024-03-20",
                           "source":{"title":"Letter to the monitor"},"recordedBy":"Chan Sophea"}},
                 {"id":"reply-3","to":"Council of Ministers","by":"2024-04-30","verdict":"Broken","verdictSince":"2024-02","requestedOn":"2024-02-10","reply":null},
                 {"id":"reply-4","to":"National Assembly","by":"2099-12-31","verdict":"Broken","verdictSince":"2024-02","requestedOn":"2024-02-10","reply":null}]}
              """);
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<string> HtmlAsync(string url, HttpClient? client = null)
    {
        var response = await (client ?? _gateway.Client()).GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Beside_the_verdict_are_its_reply_a_missed_deadline_and_an_awaited_reply_and_not_those_of_an_earlier_verdict()
    {
        var html = await HtmlAsync($"/pledges/{Pledge}");
        html.ShouldContain("Reply on behalf of MFAIC, 20 March 2024:");
        html.ShouldContain("A focal point will be named after the review.");
        html.ShouldContain("Source: Letter to the monitor");
        html.ShouldContain("No reply by 30 April 2024: Council of Ministers was asked to respond to this verdict.");
        html.ShouldContain("National Assembly has been asked to respond to this verdict by 31 December 2099.");
        html.ShouldNotContain("Earlier office", Case.Sensitive, "that request concerned the verdict before this one");

        var khmer = await HtmlAsync($"/pledges/{Pledge}?lang=km");
        khmer.ShouldContain("គ្មានការឆ្លើយតបត្រឹម");
        khmer.ShouldContain("ការឆ្លើយតបជំនួសឱ្យ MFAIC");
    }

    [Fact]
    public async Task Staff_get_forms_to_ask_for_a_reply_and_to_record_one_to_an_open_request()
    {
        var token = await app.Staff.AddAsync("Replying Rath", "editor", "tests", Ct);
        var client = _gateway.Client("192.0.2.71");
        (await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var html = await HtmlAsync($"/pledges/{Pledge}", client);
        html.ShouldContain($"""action="/api/pledges/{Pledge}/reply-requests" class="write" data-endpoint="reply-requests" data-etag="6" id="reply-request-form">""");
        html.ShouldContain("""value="Royal Government of Cambodia" """.TrimEnd(), Case.Sensitive, "the actor is who is usually asked");
        html.ShouldContain($"""action="/api/pledges/{Pledge}/replies" class="write" data-endpoint="replies" data-etag="6" id="reply-form">""");
        html.ShouldNotContain("""<option value="reply-2">""", Case.Sensitive, "an answered request takes no second reply");
        html.ShouldContain("""<option value="reply-3">""");
        (await HtmlAsync($"/pledges/{Pledge}")).ShouldNotContain("reply-request-form", Case.Sensitive, "the forms are for staff");
    }
}
