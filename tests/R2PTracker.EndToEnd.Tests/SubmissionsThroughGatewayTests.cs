using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>Evidence from the public, every step through the gateway: submitted, confirmed by e-mail, alerted to staff, moderated.</summary>
public partial class SubmissionsThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"https?://\S+/api/submissions/[0-9a-f\-]+/confirmation\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmLink();

    private async Task<WebhookReceiver> SubscribedAsync(string pledgeId, string[]? eventTypes)
    {
        var receiver = await WebhookReceiver.StartAsync();
        (await deployment.Gateway().PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = receiver.BaseUrl + "/r2p", filter = new { pledgeIds = new[] { pledgeId }, eventTypes } }, Ct)).EnsureSuccessStatusCode();
        return receiver;
    }

    [Fact]
    public async Task A_submission_with_an_email_is_confirmed_by_its_mails_link_alerts_staff_and_its_rejection_reaches_the_submitter()
    {
        var pledgeId = await deployment.NewPledgeAsync();
        await using var staffAlerts = await SubscribedAsync(pledgeId, ["submission.received"]);
        await using var everything = await SubscribedAsync(pledgeId, null);
        var address = $"reader-{Guid.NewGuid():N}@example.org";
        var gateway = deployment.Gateway();
        var submitted = await gateway.PostAsJsonAsync($"/api/pledges/{pledgeId}/submissions",
            new { text = "A decree named the focal point.", links = new[] { "https://example.org/decree" }, name = "Sok Dara", email = address }, Ct);
        submitted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var receipt = await submitted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var status = $"/api/submissions/status/{receipt.GetProperty("statusToken").GetString()}";

        var confirmation = (await MailDev.WaitForMailsAsync(address, 1, Ct)).Single();
        confirmation.GetProperty("subject").GetString().ShouldBe("Confirm your submission to R2P Tracker");
        var link = ConfirmLink().Match(confirmation.GetProperty("text").GetString()!).Value;
        link.ShouldStartWith($"{deployment.GatewayUrl}/api/submissions/{receipt.GetProperty("id").GetString()}/confirmation?token=");
        var path = link[deployment.GatewayUrl.Length..];
        (await gateway.GetStringAsync(path, Ct)).ShouldContain("Confirm my submission");
        (await gateway.GetFromJsonAsync<JsonElement>(status, Ct)).GetProperty("state").GetString().ShouldBe("awaitingConfirmation");
        staffAlerts.Received.ShouldBeEmpty("a submission counts only once its address is confirmed");
        (await gateway.PostAsync(path, null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await gateway.GetFromJsonAsync<JsonElement>(status, Ct)).GetProperty("state").GetString().ShouldBe("queued");

        // Staff are alerted, without what was submitted or by whom.
        var alert = await TestEnvironment.Eventually(() => Task.FromResult(staffAlerts.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the staff alert");
        var payload = JsonDocument.Parse(alert.Body).RootElement;
        payload.GetProperty("type").GetString().ShouldBe("submission.received");
        payload.GetProperty("data").GetProperty("pledgeId").GetString().ShouldBe(pledgeId);
        foreach (var secret in new[] { address, "Sok Dara", "A decree", "example.org/decree" }) alert.Body.ShouldNotContain(secret);

        using var staff = deployment.StaffThroughGateway();
        var queue = await staff.GetFromJsonAsync<JsonElement>($"/api/submissions?pledgeId={pledgeId}", Ct);
        queue.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetRawText().ShouldNotContain(address);
        (await staff.PostAsJsonAsync($"/api/submissions/{receipt.GetProperty("id").GetString()}/rejection",
            new { reason = "The decree concerns another office." }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var verdict = (await MailDev.WaitForMailsAsync(address, 2, Ct)).Single(m => m.GetProperty("subject").GetString() != confirmation.GetProperty("subject").GetString());
        verdict.GetProperty("subject").GetString().ShouldBe("Your submission was not accepted");
        verdict.GetProperty("text").GetString()!.ShouldContain("The decree concerns another office.");
        (await gateway.GetFromJsonAsync<JsonElement>(status, Ct)).GetProperty("reason").GetString().ShouldBe("The decree concerns another office.");

        // The subscription to every event of the pledge hears of its next change, and never heard of the submission.
        await deployment.ChangeStatusAsync(pledgeId, "InTheWorks", "\"1\"");
        await TestEnvironment.Eventually(() => Task.FromResult(everything.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the status alert");
        everything.Received.ShouldAllBe(h => !h.Body.Contains("submission.received"));
    }

    [Fact]
    public async Task An_accepted_submission_is_a_milestone_on_the_public_record_crediting_its_submitter()
    {
        var pledgeId = await deployment.NewPledgeAsync();
        var gateway = deployment.Gateway();
        var submitted = await gateway.PostAsJsonAsync($"/api/pledges/{pledgeId}/submissions",
            new { text = "The training took place at Svay Rieng University.", links = new[] { "https://cicp.org.kh/spotlight-r2p" }, name = "Chea Vanna" }, Ct);
        submitted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var receipt = await submitted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        using var staff = deployment.StaffThroughGateway();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/submissions/{receipt.GetProperty("id").GetString()}/acceptance")
        {
            Content = JsonContent.Create(new { @as = "milestone", title = "Training at Svay Rieng University", occurredOn = "2023-09-16" }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        (await staff.SendAsync(request, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var timeline = (await gateway.GetFromJsonAsync<JsonElement>($"/api/pledges/{pledgeId}/timeline", Ct)).EnumerateArray().ToList();
        var milestone = timeline.Single(e => e.GetProperty("type").GetString() == "MilestoneLogged");
        milestone.GetProperty("credit").GetProperty("name").GetString().ShouldBe("Chea Vanna");
        milestone.GetProperty("recordedBy").GetString().ShouldBe(Deployment.StaffName);
        (await gateway.GetFromJsonAsync<JsonElement>($"/api/submissions/status/{receipt.GetProperty("statusToken").GetString()}", Ct))
            .GetProperty("state").GetString().ShouldBe("accepted");
    }
}
