using System.Net;
using Microsoft.Playwright;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The API reference at /api/docs in Chromium: Scalar, served by the gateway, renders the public document under the page's policy.</summary>
public class ApiReferenceBrowserTests(Deployment deployment, Browser browser)
{
    [Fact]
    public async Task The_api_reference_renders_the_public_operations_from_the_gateway_alone_without_a_policy_violation()
    {
        await using var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = deployment.GatewayUrl });
        var page = await context.NewPageAsync();
        var messages = new List<string>();
        var elsewhere = new List<string>();
        page.Console += (_, message) => { lock (messages) messages.Add($"[{message.Type}] {message.Text}"); };
        page.PageError += (_, error) => { lock (messages) messages.Add($"[page error] {error}"); };
        // Nothing may come from anywhere but the gateway (no CDN is reachable, and none is needed).
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(deployment.GatewayUrl, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
                lock (elsewhere) elsewhere.Add(request.Url);
        };
        var document = page.WaitForResponseAsync("**/openapi/v1.json", new PageWaitForResponseOptions { Timeout = 30_000 });

        var response = await page.GotoAsync("/api/docs");

        response!.Status.ShouldBe(200);
        (await response.AllHeadersAsync())["content-security-policy"].ShouldContain("script-src 'self';");
        (await document).Status.ShouldBe(200);
        // Each part of the API in the sidebar (by its tag), and, opened, its operations by their summaries:
        // commitments', notifications' and the gateway's own.
        foreach (var (tag, summary) in new[]
                 {
                     ("pledges", "Assess a pledge's status with a reason and evidence."),
                     ("tallies", "How many pledges hold each status, today or as of a day."),
                     ("subscriptions", "Subscribe a webhook (verified first) or an e-mail address (double opt-in) to pledge changes."),
                     ("transparency-log", "A proof that an entry is in a signed tree."),
                     ("live", "Server-Sent Events of pledge changes and new checkpoints (resumes after Last-Event-ID)."),
                 })
        {
            await page.Locator($"a[href='#tag/{tag}']").First.ClickAsync(new LocatorClickOptions { Timeout = 30_000 });
            await page.GetByText(summary).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        }
        await page.GetByText("R2P Tracker public API").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        // The window only: the whole reference is tens of thousands of pixels long.
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ScreenshotDir, "api-reference.png") });

        lock (messages) messages.ShouldNotContain(m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase), string.Join("\n", messages));
        lock (elsewhere) elsewhere.ShouldBeEmpty();
    }

    [Fact]
    public async Task Scalars_own_page_with_its_inline_script_sends_the_reader_to_the_gateways_page()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(deployment.GatewayUrl) };

        using var response = await http.GetAsync("/api/docs/v1", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/api/docs");
    }
}
