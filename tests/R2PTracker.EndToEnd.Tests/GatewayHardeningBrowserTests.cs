using Microsoft.Playwright;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The dashboard in Chromium under the gateway's Content-Security-Policy: its script runs, nothing is refused.</summary>
public class GatewayHardeningBrowserTests(Deployment deployment, Browser browser)
{
    [Fact]
    public async Task The_dashboard_runs_under_its_content_security_policy_without_a_violation()
    {
        await using var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = deployment.GatewayUrl });
        var messages = new List<string>();
        foreach (var path in new[] { "/", "/pledges/kh-r2p-focal-point", "/sign-in" })
        {
            var page = await context.NewPageAsync();
            page.Console += (_, message) => { lock (messages) messages.Add($"{path}: [{message.Type}] {message.Text}"); };
            page.PageError += (_, error) => { lock (messages) messages.Add($"{path}: [page error] {error}"); };
            // app.js opens the live stream on the list and on a pledge: seeing that request shows the script ran.
            var live = path == "/sign-in" ? null : page.WaitForRequestAsync("**/api/live", new PageWaitForRequestOptions { Timeout = 15_000 });
            var response = await page.GotoAsync(path);
            response!.Status.ShouldBe(200);
            (await response.AllHeadersAsync())["content-security-policy"].ShouldContain("script-src 'self'");
            if (live is not null) await live;
            await page.WaitForLoadStateAsync(LoadState.Load);
            await page.CloseAsync();
        }
        lock (messages) messages.ShouldNotContain(m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase), string.Join("\n", messages));
    }
}
