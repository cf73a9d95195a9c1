using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>
/// Alerts in the subscriber's language, every step through the gateway: a Khmer reader subscribes, confirms,
/// and a staff change reaches them in Khmer, naming the pledge by its Khmer title and linking to its Khmer page.
/// </summary>
public partial class AlertsInKhmerTests(Deployment deployment, Browser browser)
{
    private const string KhmerTitle = "ការប្តេជ្ញាសាកល្បងជាភាសាខ្មែរ";
    private const string KhmerConfirmSubject = "បញ្ជាក់ការជូនដំណឹងពី R2P Tracker";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"https?://\S+/confirm\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmLink();

    private static string NewAddress() => $"khmer-reader-{Guid.NewGuid():N}@example.org";

    private async Task TranslateTitleAsync(string pledgeId)
    {
        var translate = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{pledgeId}/translations")
        {
            Content = JsonContent.Create(new { target = "title", language = "km", text = KhmerTitle, translator = "Sok Dara", kind = "unofficial" }),
        };
        translate.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        using var staff = deployment.StaffThroughGateway();
        (await staff.SendAsync(translate, Ct)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_Khmer_subscriber_confirms_and_a_staff_status_change_reaches_them_in_Khmer_with_the_Khmer_title_and_a_link_to_the_page()
    {
        var pledgeId = await deployment.NewPledgeAsync();
        await TranslateTitleAsync(pledgeId);
        var gateway = deployment.Gateway();

        // The confirmation names the pledges as notifications knows them when the subscription is made: once it
        // names the Khmer title, the translation has reached notifications (it travels on a queue of its own),
        // and every later alert names it too.
        JsonElement subscription = default, confirmation = default;
        string address = "";
        for (var attempt = 0; attempt < 5; attempt++)
        {
            address = NewAddress();
            var subscribed = await gateway.PostAsJsonAsync("/api/subscriptions",
                new { kind = "email", email = address, language = "km", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
            subscribed.StatusCode.ShouldBe(HttpStatusCode.Created);
            subscription = await subscribed.Content.ReadFromJsonAsync<JsonElement>(Ct);
            confirmation = (await MailDev.WaitForMailsAsync(address, 1, Ct)).Single();
            if (confirmation.GetProperty("text").GetString()!.Contains(KhmerTitle)) break;
        }
        confirmation.GetProperty("subject").GetString().ShouldBe(KhmerConfirmSubject);
        var confirmationText = confirmation.GetProperty("text").GetString()!;
        confirmationText.ShouldContain($"{KhmerTitle}: {deployment.GatewayUrl}/pledges/{pledgeId}?lang=km");
        var link = ConfirmLink().Match(confirmationText).Value;
        (await gateway.PostAsync(link[deployment.GatewayUrl.Length..], null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await deployment.ChangeStatusAsync(pledgeId, "InTheWorks", "\"2\"", reason: "A focal point was named", occurredOn: "2016");

        var alert = (await MailDev.WaitForMailsAsync(address, 2, Ct)).Single(m => m.GetProperty("subject").GetString() != KhmerConfirmSubject);
        alert.GetProperty("subject").GetString().ShouldBe($"R2P Tracker៖ «{KhmerTitle}» ឥឡូវនេះមានស្ថានភាព កំពុងអនុវត្ត");
        var text = alert.GetProperty("text").GetString()!;
        text.ShouldContain($"ការប្តេជ្ញា «{KhmerTitle}» បានប្តូរស្ថានភាពពី មិនទាន់វាយតម្លៃ ទៅ កំពុងអនុវត្ត។");
        text.ShouldContain("មូលហេតុ៖ A focal point was named");
        var page = $"{deployment.GatewayUrl}/pledges/{pledgeId}?lang=km";
        text.ShouldContain(page);
        alert.GetProperty("html").GetString()!.ShouldContain($"<html lang=\"km\">");
        MailDev.Headers(await MailDev.SourceAsync(alert, Ct))["Content-Language"].ShouldBe("km");

        // The link is the pledge's page on the dashboard, in Khmer, naming the Khmer title.
        var html = WebUtility.HtmlDecode(await gateway.GetStringAsync(page[deployment.GatewayUrl.Length..], Ct));
        html.ShouldContain("<html lang=\"km\"");
        html.ShouldContain(KhmerTitle);
        subscription.GetProperty("language").GetString().ShouldBe("km");
    }

    [Fact]
    public async Task A_reader_of_the_Khmer_dashboard_subscribes_by_e_mail_from_the_form_and_the_confirmation_comes_in_Khmer()
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = deployment.GatewayUrl });
        try
        {
            var page = await context.NewPageAsync();
            (await page.GotoAsync("/?lang=km"))!.Status.ShouldBe(200);
            var address = NewAddress();
            await page.Locator("#sub-kind").SelectOptionAsync("email");
            await page.Locator("#sub-target").FillAsync(address);
            await page.Locator("#sub-pledge").SelectOptionAsync("kh-r2p-1");
            await page.GetByRole(AriaRole.Button, new() { Name = "ចុះឈ្មោះ" }).ClickAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('subscribe-result').textContent.length > 0");
            (await page.Locator("#subscribe-result").InnerTextAsync()).ShouldBe("សូមពិនិត្យប្រអប់សំបុត្ររបស់អ្នក ដើម្បីបញ្ជាក់ការចុះឈ្មោះ។");
            await Browser.ScreenshotAsync(page, "subscribed-in-khmer");

            var confirmation = (await MailDev.WaitForMailsAsync(address, 1, Ct)).Single();
            confirmation.GetProperty("subject").GetString().ShouldBe(KhmerConfirmSubject);
            confirmation.GetProperty("text").GetString()!.ShouldContain($"{deployment.GatewayUrl}/pledges/kh-r2p-1?lang=km");
            MailDev.Headers(await MailDev.SourceAsync(confirmation, Ct))["Content-Language"].ShouldBe("km");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
