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
        _gateway.Backend.Answers[$"/api/pledges/{Milestoned}"] = new BackendAnswer(200,
            $$$"""
              {"id":"{{{Milestoned}}}","title":"Appoint a national focal point","quote":"A focal point","status":"Stalled",
               "statusReason":"No budget was allocated","progress":0,"version":5,"milestoneCount":2,
               "translations":{"km":{"title":null,"quote":null,
                 "statusReason":{"text":"{{{KhmerReason}}}","translator":"Sok Dara","kind":"official"},
                 "milestones":{"ms-1":{"title":{"text":"{{{KhmerMilestone}}}","translator":"Sok Dara","kind":"unofficial"},"description":null},
                               "ms-2":{"title":{"text":"ការបកប្រែដែលដកចេញ","translator":"Sok Dara","kind":"unofficial"},"description":null}} } } }
              """);
        _gateway.Backend.Answers[$"/api/pledges/{Milestoned}/timeline"] = new BackendAnswer(200,
            """
            [{"version":2,"type":"MilestoneLogged","occurredOn":"2019-12","recordedBy":"a","title":"Outreach","summary":"Students trained","milestoneId":"ms-1","retracted":false},
             {"version":3,"type":"MilestoneCorrected","occurredOn":"2019-12","recordedBy":"a","title":"Outreach at Svay Rieng","summary":"Students trained","milestoneId":"ms-1","retracted":false},
             {"version":4,"type":"MilestoneLogged","occurredOn":"2020-01","recordedBy":"a","title":"Withdrawn one","summary":"x","milestoneId":"ms-2","retracted":true},
             {"version":5,"type":"MilestoneRetracted","occurredOn":"2020-01","recordedBy":"a","milestoneId":"ms-2","retracted":false}]
            """);
    }

    private const string Milestoned = "kh-r2p-milestone-translated";
    private const string KhmerReason = "មិនមានថវិកាត្រូវបានបែងចែក";
    private const string KhmerMilestone = "ការផ្សព្វផ្សាយនៅសាកលវិទ្យាល័យស្វាយរៀង";

    [Fact]
    public async Task The_status_reason_and_a_milestone_show_their_translations_on_the_entry_that_holds_the_translated_text()
    {
        var html = await HtmlAsync(await _gateway.Client().GetAsync($"/pledges/{Milestoned}?lang=km", Ct));
        var reason = html.IndexOf("No budget was allocated", StringComparison.Ordinal);
        reason.ShouldBeGreaterThan(0);
        html.IndexOf($"""<p lang="km">{KhmerReason}</p>""", StringComparison.Ordinal).ShouldBeGreaterThan(reason);
        html.ShouldContain("ការបកប្រែជាភាសាខ្មែរ (ផ្លូវការ) ដោយ Sok Dara");

        // Shown once, on the correction that holds the milestone's text as it stands (not on the first logging).
        html.Split($"""<p lang="km">{KhmerMilestone}</p>""").Length.ShouldBe(2);
        var entry = html[html.IndexOf("data-version=\"3\"", StringComparison.Ordinal)..];
        entry[..entry.IndexOf("</li>", StringComparison.Ordinal)].ShouldContain(KhmerMilestone);
        html.ShouldNotContain("ការបកប្រែដែលដកចេញ", Case.Sensitive, "a retracted milestone's translation is not shown");
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
        html.ShouldNotContain("value=\"statusReason\"", Case.Sensitive, "this pledge has no status reason to translate");

        var milestoned = await HtmlAsync(await client.GetAsync($"/pledges/{Milestoned}", Ct));
        var targets = System.Text.RegularExpressions.Regex.Matches(milestoned, """<option value="([^"]+)">""").Select(m => m.Groups[1].Value)
            .Where(v => v is "title" or "quote" or "statusReason" || v.StartsWith("milestones/", StringComparison.Ordinal)).ToList();
        targets.ShouldBe(["title", "quote", "statusReason", "milestones/ms-1/title", "milestones/ms-1/description"]);
        milestoned.ShouldContain("Milestone title: Outreach at Svay Rieng");
    }
}
