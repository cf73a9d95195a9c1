using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>An admin imports pledge histories through the gateway; an editor may not.</summary>
public class ImportThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string File(string id)
    {
        var evidence = new[] { new { title = "CICP training report", url = "https://cicp.org.kh/spotlight-r2p" } };
        object[] lines =
        [
            new
            {
                pledgeId = id, type = "PledgeRegistered", occurredOn = "2015-02", recordedBy = "CICP archive", title = "Appoint a focal point",
                quote = "We will appoint a national focal point.", actor = "Royal Government of Cambodia", country = "KH",
                source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" },
            },
            new
            {
                pledgeId = id, type = "MilestoneLogged", occurredOn = "2019-12", recordedBy = "CICP archive", milestoneId = "ms-outreach",
                title = "Outreach at Svay Rieng University", evidence,
            },
            new { pledgeId = id, type = "StatusAssessed", occurredOn = "2023-09-16", recordedBy = "CICP archive", status = "InTheWorks", reason = "Training under way", evidence },
            new { pledgeId = id, type = "EvidenceAttached", occurredOn = "2023-09-16", recordedBy = "CICP archive", milestoneId = "ms-outreach", evidence },
        ];
        return string.Join('\n', lines.Select(l => JsonSerializer.Serialize(l))) + "\n";
    }

    private async Task<HttpResponseMessage> ImportAsync(string token, string body)
    {
        using var client = deployment.Gateway();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return await client.PostAsync("/api/import", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), Ct);
    }

    [Fact]
    public async Task An_admin_imports_a_pledge_history_once_and_an_editor_is_refused()
    {
        var id = "e2e-import-" + Guid.NewGuid().ToString("N")[..8];
        var gateway = deployment.Gateway();
        (await ImportAsync(deployment.StaffToken, File(id))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await gateway.GetAsync($"/api/pledges/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var first = await ImportAsync(deployment.AdminToken, File(id));
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetRawText().ShouldBe("""{"pledges":1,"events":4,"skipped":0}""");

        var pledge = await gateway.GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct);
        pledge.GetProperty("status").GetString().ShouldBe("InTheWorks");
        var verify = await gateway.GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/verify", Ct);
        verify.GetProperty("valid").GetBoolean().ShouldBeTrue();
        verify.GetProperty("events").GetInt32().ShouldBe(4);

        var again = await ImportAsync(deployment.AdminToken, File(id));
        (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetRawText().ShouldBe("""{"pledges":0,"events":0,"skipped":4}""");
    }
}
