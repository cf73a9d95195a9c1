using System.Net;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>
/// Verifiability and the coded reason of a verdict on the dashboard: the pledge page shows both, staff get a
/// verifiability form and a reason code in the status form, and the list passes the two filters on and
/// shows their tallies.
/// </summary>
public class VerifiabilityPageTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pledge = "kh-r2p-screened";

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await GatewayVariant.StartAsync(app);
        _gateway.Backend.Answers[$"/api/pledges/{Pledge}"] = new BackendAnswer(200,
            $$$"""
              {"id":"{{{Pledge}}}","title":"Appoint a national focal point","quote":"A focal point","status":"Broken","statusSince":"2024-02",
               "statusReason":"No focal point was named","statusReasonCode":"NoFunding","progress":0,"version":4,"milestoneCount":0,
               "actor":"Royal Government of Cambodia","verifiability":"Partly","verifiabilityReason":"The deadline is vague",
               "verifiabilitySince":"2017-05"}
              """);
        _gateway.Backend.Answers["/api/pledges"] = new BackendAnswer(200,
            $$$"""
              [{"id":"{{{Pledge}}}","title":"Appoint a national focal point","status":"Broken","statusReasonCode":"NoMajority","progress":0,
                "version":4,"milestoneCount":0,"verifiability":"NotVerifiable"},
               {"id":"kh-r2p-unscreened","title":"Outreach","status":"NotYetRated","progress":0,"version":1,"milestoneCount":0,"verifiability":null}]
              """);
        _gateway.Backend.Answers["/api/tallies"] = new BackendAnswer(200,
            """
            {"total":2,"byStatus":{"Broken":1,"NotYetRated":1},"overdue":0,
             "byVerifiability":{"Verifiable":0,"Partly":0,"NotVerifiable":1,"NotScreened":1},
             "byReason":{"NoFunding":0,"NoMajority":1,"ChangedPosition":0,"Superseded":0,"ExternalEvents":0,"Other":0}}
            """);
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<string> HtmlAsync(string url, HttpClient? client = null)
    {
        var response = await (client ?? _gateway.Client()).GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_pledge_page_shows_the_verifiability_with_its_reason_and_the_verdicts_coded_reason_in_both_languages()
    {
        var html = await HtmlAsync($"/pledges/{Pledge}");
        html.ShouldContain("""data-verifiability="Partly">""");
        html.ShouldContain("Verifiability: Partly verifiable");
        html.ShouldContain("The deadline is vague");
        html.ShouldContain("since May 2017");
        html.ShouldContain("Coded reason: No funding");

        var khmer = await HtmlAsync($"/pledges/{Pledge}?lang=km");
        khmer.ShouldContain("លទ្ធភាពផ្ទៀងផ្ទាត់៖ អាចផ្ទៀងផ្ទាត់បានមួយផ្នែក");
        khmer.ShouldContain("មូលហេតុជាកូដ៖ គ្មានថវិកា");
    }

    [Fact]
    public async Task A_pledge_without_a_verifiability_reads_as_not_yet_screened_and_shows_no_coded_reason()
    {
        var html = await HtmlAsync("/pledges/kh-r2p-plain");
        html.ShouldContain("Verifiability: Not yet screened");
        html.ShouldNotContain("Coded reason:");
    }

    [Fact]
    public async Task Staff_get_a_verifiability_form_and_a_reason_code_in_the_status_form()
    {
        var token = await app.Staff.AddAsync("Screening Sokha", "editor", "tests", Ct);
        var client = _gateway.Client("192.0.2.72");
        (await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var html = await HtmlAsync($"/pledges/{Pledge}", client);
        html.ShouldContain($"""action="/api/pledges/{Pledge}/verifiability" class="write" data-endpoint="verifiability" data-etag="4" id="verifiability-form">""");
        html.ShouldContain("""<option value="Partly" selected>""");
        html.ShouldContain("""<select id="st-reason-code" name="reasonCode">""");
        foreach (var code in new[] { "NoFunding", "NoMajority", "ChangedPosition", "Superseded", "ExternalEvents", "Other" })
            html.ShouldContain($"""<option value="{code}">""");
        (await HtmlAsync($"/pledges/{Pledge}")).ShouldNotContain("verifiability-form", Case.Sensitive, "the forms are for staff");
    }

    [Fact]
    public async Task The_list_passes_the_verifiability_and_reason_filters_on_and_shows_them_on_items_and_in_the_tallies()
    {
        var html = await HtmlAsync("/?verifiability=NotVerifiable&verifiability=NotScreened&reason=NoMajority");
        // (The gateway puts a repeated parameter's values in order: one cache entry for any order they came in.)
        var sent = _gateway.Backend.Requests.Where(r => r.Path is "/api/pledges" or "/api/tallies" or "/api/tallies/series").ToList();
        sent.ShouldContain(r => r.Path == "/api/pledges" && r.Query.Contains("verifiability=NotScreened&verifiability=NotVerifiable&reason=NoMajority"),
            string.Join("\n", _gateway.Backend.Requests.Select(r => r.Path + r.Query)));
        sent.ShouldContain(r => r.Path == "/api/tallies" && r.Query == "?verifiability=NotScreened&verifiability=NotVerifiable&reason=NoMajority");
        sent.ShouldContain(r => r.Path == "/api/tallies/series" && r.Query.Contains("verifiability=NotScreened&verifiability=NotVerifiable&reason=NoMajority"));

        html.ShouldContain("""<input type="checkbox" name="verifiability" value="NotVerifiable" checked />""");
        html.ShouldContain("""<input type="checkbox" name="verifiability" value="Partly" />""");
        html.ShouldContain("""<input type="checkbox" name="reason" value="NoMajority" checked />""");
        // Items: the coded reason of the verdict and the verifiability (or that there is none yet).
        html.ShouldContain("""data-reason-code="NoMajority">No majority</div>""");
        html.ShouldContain("""data-verifiability="NotVerifiable">Not verifiable</div>""");
        html.ShouldContain("""data-verifiability="NotScreened">Not yet screened</div>""");
        // Tallies.
        html.ShouldContain("""<li data-verifiability="NotScreened">Not yet screened <strong class="count">1</strong></li>""");
        html.ShouldContain("""<li data-reason="NoMajority">No majority <strong class="count">1</strong></li>""");
        html.ShouldNotContain("""data-reason="NoFunding">""", Case.Sensitive, "a reason no pledge has is left out of the tallies");
    }
}
