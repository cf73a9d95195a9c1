using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>Issue 5's e-mail path with every step through the gateway: subscribe, confirm, alert, one-click unsubscribe.</summary>
public partial class EmailThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"https?://\S+/confirm\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmLink();

    private static bool IsConfirmation(JsonElement mail) => mail.GetProperty("subject").GetString()!.StartsWith("Confirm", StringComparison.Ordinal);

    [Fact]
    public async Task A_monitor_subscribes_confirms_gets_an_alert_and_unsubscribes_in_one_click_all_through_the_gateway()
    {
        var pledgeId = await deployment.NewPledgeAsync();
        var address = $"monitor-{Guid.NewGuid():N}@example.org";
        var gateway = deployment.Gateway();
        var subscribed = await gateway.PostAsJsonAsync("/api/subscriptions",
            new { kind = "email", email = address, filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        subscribed.StatusCode.ShouldBe(HttpStatusCode.Created);
        var subscription = await subscribed.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = subscription.GetProperty("id").GetString();

        var confirmation = (await MailDev.WaitForMailsAsync(address, 1, Ct)).Single();
        var link = ConfirmLink().Match(confirmation.GetProperty("text").GetString()!).Value;
        link.ShouldStartWith($"{deployment.GatewayUrl}/api/subscriptions/{id}/confirm?token=");
        var path = link[deployment.GatewayUrl.Length..];
        (await gateway.GetAsync(path, Ct)).Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await gateway.PostAsync(path, null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await deployment.ChangeStatusAsync(pledgeId, "InTheWorks", "\"1\"", reason: "A focal point was named", occurredOn: "2016");

        var alert = (await MailDev.WaitForMailsAsync(address, 2, Ct)).Single(m => !IsConfirmation(m));
        alert.GetProperty("subject").GetString()!.ShouldContain(pledgeId);
        var headers = MailDev.Headers(await MailDev.SourceAsync(alert, Ct));
        headers["List-Unsubscribe-Post"].ShouldBe("List-Unsubscribe=One-Click");
        var unsubscribe = headers["List-Unsubscribe"].Trim('<', '>');
        unsubscribe.ShouldStartWith($"{deployment.GatewayUrl}/api/subscriptions/{id}/unsubscribe?token=");

        // RFC 8058 one-click: the mail client POSTs to the link, through the gateway.
        (await gateway.PostAsync(unsubscribe[deployment.GatewayUrl.Length..],
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var manage = deployment.Gateway();
        manage.DefaultRequestHeaders.Authorization = new("Bearer", subscription.GetProperty("manageToken").GetString());
        (await manage.GetFromJsonAsync<JsonElement>($"/api/subscriptions/{id}", Ct)).GetProperty("status").GetString().ShouldBe("unsubscribed");
    }
}
