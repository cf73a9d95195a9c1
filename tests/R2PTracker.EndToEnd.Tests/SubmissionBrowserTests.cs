using Microsoft.Playwright;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The public submission form on a pledge page and the staff's moderation queue, in a real browser through the gateway.</summary>
public class SubmissionBrowserTests(Deployment deployment, Browser browser) : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
        GC.SuppressFinalize(this);
    }

    private async Task<IPage> OpenAsync(string path, IBrowserContext? context = null)
    {
        if (context is null)
        {
            context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = deployment.GatewayUrl });
            _contexts.Add(context);
        }
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(path);
        return page;
    }

    private async Task<IPage> StaffQueueAsync()
    {
        var page = await OpenAsync("/submissions");
        page.Url.ShouldContain("/sign-in", Case.Sensitive, "the queue is for staff");
        await page.GetByLabel("Staff token").FillAsync(deployment.StaffToken);
        await page.GetByLabel("Staff token").PressAsync("Enter");
        await page.WaitForURLAsync("**/submissions");
        return page;
    }

    private async Task<string> SubmitAsync(string pledgeId, string text, string? name)
    {
        var page = await OpenAsync($"/pledges/{pledgeId}");
        await page.GetByLabel("What happened (required)").FillAsync(text);
        await page.GetByLabel("Links to sources (up to five, one per line, http or https)").FillAsync("https://cicp.org.kh/spotlight-r2p");
        if (name is not null) await page.GetByLabel("Your name, to be credited with (optional; leave empty to stay anonymous)").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send to the editors" }).ClickAsync();
        var link = page.Locator("#submission-status-link");
        await link.WaitForAsync();
        (await page.Locator("#submission-result").InnerTextAsync()).ShouldContain("Nothing is published before an editor has looked at it.");
        var statusUrl = (await link.GetAttributeAsync("href"))!;
        await link.ClickAsync();
        await page.WaitForURLAsync("**/submissions/status/**");
        (await page.Locator(".submission-state").InnerTextAsync()).ShouldBe("Waiting for an editor.");
        await page.CloseAsync();
        return statusUrl;
    }

    private static async Task ModerateAsync(IPage queue, string text, Func<ILocator, Task> fill, string button)
    {
        var item = queue.Locator("li.submission").Filter(new() { HasText = text });
        await fill(item);
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLoad(object? sender, IPage loaded) => reloaded.TrySetResult();
        queue.Load += OnLoad;
        try
        {
            await item.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
            await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            queue.Load -= OnLoad;
        }
        (await queue.Locator("li.submission").Filter(new() { HasText = text }).CountAsync()).ShouldBe(0, "a moderated submission leaves the queue");
    }

    [Fact]
    public async Task A_reader_sends_evidence_from_a_pledge_page_and_staff_accept_one_as_a_credited_milestone_and_reject_another_with_a_reason()
    {
        var pledgeId = await deployment.NewPledgeAsync();
        var accepted = $"A decree named the focal point {Guid.NewGuid():N}";
        var rejected = $"Not about this pledge {Guid.NewGuid():N}";
        var acceptedStatus = await SubmitAsync(pledgeId, accepted, "Sok Dara");
        var rejectedStatus = await SubmitAsync(pledgeId, rejected, null);

        var queue = await StaffQueueAsync();
        await Browser.ScreenshotAsync(queue, "moderation-queue");
        await ModerateAsync(queue, accepted, item => item.GetByLabel("Milestone title (for a new milestone)").FillAsync("Focal point named by decree"), "Accept");
        await ModerateAsync(queue, rejected, item => item.GetByLabel("Reason for rejecting (the submitter reads it)").FillAsync("It concerns another pledge."), "Reject");

        var pledge = await OpenAsync($"/pledges/{pledgeId}");
        var timeline = await pledge.Locator("#timeline").InnerTextAsync();
        timeline.ShouldContain("Focal point named by decree");
        timeline.ShouldContain("Submitted by Sok Dara");
        (await pledge.Locator("#pledge-view").InnerTextAsync()).ShouldNotContain(rejected);

        var status = await OpenAsync(acceptedStatus);
        (await status.Locator(".submission-state").InnerTextAsync()).ShouldStartWith("Accepted");
        var refused = await OpenAsync(rejectedStatus);
        (await refused.Locator(".submission-state").InnerTextAsync()).ShouldBe("Not accepted.");
        (await refused.Locator(".submission-reason").InnerTextAsync()).ShouldBe("The editors' reason: It concerns another pledge.");
        await Browser.ScreenshotAsync(refused, "submission-rejected");
    }
}
