using System.Net;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>The pledge page shows the verbatim original marked as such, with each translation beside it saying who made it and whether it is official.</summary>
public class PledgePageTranslationTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pledge = "kh-r2p-translated";
    private const string KhmerTitle = "ការទទួលខុសត្រូវក្នុងការការពារ";

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await GatewayVariant.StartAsync(app);
        _gateway.Backend.Answers[$"/api/pledges/{Pledge}"] = new BackendAnswer(200,
            $$$"""
              {"id":"{{{Pledge}}}","title":"Appoint a national focal point","quote":"The royal government could appoint a focal point",
               "status":"NotYetRated","progress":0,"version":3,"milestoneCount":0,
               "translations":{"km":{"title":{"text":"{{{KhmerTitle}}}","translator":"Sok Dara","kind":"unofficial","source":null,
                 "occurredOn":"2026-12","recordedBy":"Chan Sophea"},"quote":null,"milestones":{} } } }
              """);
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private static async Task<string> HtmlAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_khmer_title_is_shown_beside_the_original_with_its_translator_and_kind()
    {
        var html = await HtmlAsync(await _gateway.Client().GetAsync($"/pledges/{Pledge}", Ct));
        html.ShouldContain("<h1>Appoint a national focal point</h1>");
        html.ShouldContain("Original wording, as recorded.");
        html.ShouldContain($"""<p lang="km">{KhmerTitle}</p>""");
        html.ShouldContain("Khmer translation (unofficial) by Sok Dara");
        html.ShouldContain("The royal government could appoint a focal point", Case.Sensitive, "the untranslated quote is shown as it is");
        html.ShouldNotContain("id=\"translation-form\"", Case.Sensitive, "the form is for staff");
    }

    [Fact]
    public async Task Staff_get_a_form_that_posts_a_translation()
    {
        var token = await app.Staff.AddAsync("Translating Thida", "editor", "tests", Ct);
        var client = _gateway.Client("192.0.2.70");
        (await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var html = await HtmlAsync(await client.GetAsync($"/pledges/{Pledge}", Ct));
        html.ShouldContain($"""<form method="post" action="/api/pledges/{Pledge}/translations" class="write" data-endpoint="translations" data-etag="3" id="translation-form">""");
        foreach (var field in new[] { "target", "language", "text", "translator", "kind" }) html.ShouldContain($"name=\"{field}\"");
    }
}
