using Microsoft.Playwright;
using Shouldly;

[assembly: AssemblyFixture(typeof(R2PTracker.EndToEnd.Tests.Browser))]

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The dashboard in a real browser, through the gateway, against the three running services.</summary>
public class DashboardBrowserTests(Deployment deployment, Browser browser)
{
    private static readonly List<string> Log = [];

    /// <summary>Waits for a condition in the page; on timeout, fails with what the page said.</summary>
    private static async Task WaitFor(IPage page, string condition, float timeout = 15_000)
    {
        try
        {
            await page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = timeout });
        }
        catch (TimeoutException)
        {
            var result = await page.Locator("#write-result").CountAsync() > 0 ? await page.Locator("#write-result").InnerTextAsync() : "";
            string log;
            lock (Log) log = string.Join("\n", Log);
            throw new TimeoutException($"Timed out waiting for {condition} on {page.Url}. write-result: '{result}'. Browser log:\n{log}");
        }
    }

    private async Task<IPage> OpenAsync(string path, IBrowserContext? context = null)
    {
        context ??= await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = deployment.GatewayUrl });
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { lock (Log) Log.Add($"[{message.Type}] {message.Text}"); };
        page.PageError += (_, error) => { lock (Log) Log.Add($"[page error] {error}"); };
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(path);
        return page;
    }

    private async Task<IBrowserContext> SignedInAsync()
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = deployment.GatewayUrl });
        var page = await OpenAsync("/sign-in", context);
        // Keyboard only: fill the labelled field and press Enter.
        await page.GetByLabel("Staff token").FillAsync(deployment.StaffToken);
        await page.GetByLabel("Staff token").PressAsync("Enter");
        await page.WaitForURLAsync("**/");
        (await page.Locator(".who").InnerTextAsync()).ShouldContain(Deployment.StaffName);
        await page.CloseAsync();
        return context;
    }

    /// <summary>
    /// A successful staff write reloads the page: wait for that reload, so what follows reads the
    /// new page rather than the old one (which a live update may already show) while it is replaced.
    /// </summary>
    private static async Task SaveAndReloadAsync(IPage page, string button)
    {
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLoad(object? sender, IPage loaded) => reloaded.TrySetResult();
        page.Load += OnLoad; // the page at hand has loaded already: the next load is the reload
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
            await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            page.Load -= OnLoad;
        }
    }

    private static ILocator Row(IPage page, string pledgeId) => page.Locator($"#pledge-list tr[data-pledge-id='{pledgeId}']");

    [Fact]
    public async Task The_list_shows_the_seven_seed_pledges_with_status_progress_and_target_date()
    {
        var page = await OpenAsync("/");
        // Other tests register pledges of their own; the seven seed pledges are all listed.
        foreach (var id in new[] { "kh-r2p-1", "kh-r2p-2", "kh-r2p-3", "kh-r2p-4", "kh-r2p-5", "kh-r2p-6", "kh-r2p-focal-point" })
            (await Row(page, id).CountAsync()).ShouldBe(1, id);
        (await Row(page, "kh-r2p-focal-point").InnerTextAsync()).ShouldContain("2015-08-31");
        (await Row(page, "kh-r2p-focal-point").Locator(".badge").GetAttributeAsync("data-status")).ShouldBe("Kept");
        (await page.Locator("#tallies li[data-status='Kept'] .count").InnerTextAsync()).ShouldNotBe("0");
        await Browser.ScreenshotAsync(page, "list");
    }

    [Fact]
    public async Task The_as_of_control_shows_the_focal_point_not_yet_kept_at_the_end_of_2015_and_kept_in_2017()
    {
        var page = await OpenAsync("/");
        await page.GetByLabel("As of", new() { Exact = true }).FillAsync("2015-12-31");
        await page.GetByLabel("Date axis").SelectOptionAsync("occurred");
        var navigated = page.WaitForURLAsync("**asOf=2015-12-31**");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await navigated;
        await WaitFor(page, "() => document.querySelector(\"#pledge-list tr[data-pledge-id='kh-r2p-focal-point'] .badge\") !== null");
        (await Row(page, "kh-r2p-focal-point").Locator(".badge").GetAttributeAsync("data-status")).ShouldNotBe("Kept");
        await Browser.ScreenshotAsync(page, "as-of-2015-12-31");

        await page.GetByLabel("As of", new() { Exact = true }).FillAsync("2017-01-01");
        navigated = page.WaitForURLAsync("**asOf=2017-01-01**");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await navigated;
        await WaitFor(page, "() => document.querySelector(\"#pledge-list tr[data-pledge-id='kh-r2p-focal-point'] .badge\") !== null");
        (await Row(page, "kh-r2p-focal-point").Locator(".badge").GetAttributeAsync("data-status")).ShouldBe("Kept");
        await Browser.ScreenshotAsync(page, "as-of-2017-01-01");
    }

    [Fact]
    public async Task A_staff_member_assesses_a_status_and_another_open_dashboard_shows_it_live()
    {
        var watcher = await OpenAsync("/");
        var before = await Row(watcher, "kh-r2p-6").Locator(".badge").GetAttributeAsync("data-status");
        var target = before == "Stalled" ? "InTheWorks" : "Stalled";

        var staff = await SignedInAsync();
        var page = await OpenAsync("/pledges/kh-r2p-6", staff);
        await page.GetByLabel("New status").SelectOptionAsync(target);
        await page.GetByLabel("Reason", new() { Exact = true }).First.FillAsync("No proposal for an ASEAN network of focal points has been reported.");
        await page.Locator("#status-form").GetByLabel("Evidence title").FillAsync("Monitor's review of ASEAN records");
        await page.Locator("#status-form").GetByLabel("Evidence link (http or https, optional)").FillAsync("https://asean.org/");
        await SaveAndReloadAsync(page, "Save status");
        await WaitFor(page, $"() => document.querySelector('#pledge-view .status-line .badge')?.dataset.status === '{target}'");
        (await page.Locator("#timeline > li").Last.Locator(".recorded-by").InnerTextAsync()).ShouldBe(Deployment.StaffName);
        await Browser.ScreenshotAsync(page, "assessed");

        // The other dashboard was not reloaded: the change arrives over Server-Sent Events.
        await WaitFor(watcher,
            $"() => document.querySelector(\"#pledge-list tr[data-pledge-id='kh-r2p-6'] .badge\")?.dataset.status === '{target}'",
            timeout: 2_000);
        await Browser.ScreenshotAsync(watcher, "live-update");
    }

    [Fact]
    public async Task A_stale_edit_shows_the_conflict_message_and_saves_nothing()
    {
        var staff = await SignedInAsync();
        var first = await OpenAsync("/pledges/kh-r2p-6", staff);
        var second = await OpenAsync("/pledges/kh-r2p-6", staff);

        await first.GetByLabel("Title", new() { Exact = true }).FillAsync("Statement at an ASEAN meeting");
        await first.Locator("#milestone-form").GetByLabel("Evidence title").FillAsync("Meeting record");
        await SaveAndReloadAsync(first, "Log milestone");
        await WaitFor(first, "() => [...document.querySelectorAll('#timeline li strong')].some(s => s.textContent === 'Statement at an ASEAN meeting')");

        await second.GetByLabel("Title", new() { Exact = true }).FillAsync("A stale milestone");
        await second.Locator("#milestone-form").GetByLabel("Evidence title").FillAsync("Stale evidence");
        await second.GetByRole(AriaRole.Button, new() { Name = "Log milestone" }).ClickAsync();
        await WaitFor(second, "() => document.getElementById('write-result').textContent.includes('changed by someone else')");
        await Browser.ScreenshotAsync(second, "stale-edit");

        var fresh = await OpenAsync("/pledges/kh-r2p-6");
        (await fresh.Locator("#timeline").InnerTextAsync()).ShouldNotContain("A stale milestone");
    }

    [Fact]
    public async Task User_text_is_escaped_not_interpreted()
    {
        var staff = await SignedInAsync();
        var page = await OpenAsync("/pledges/kh-r2p-focal-point", staff);
        const string payload = "<img src=x onerror=\"document.body.dataset.pwned='yes'\">";
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync(payload);
        await page.Locator("#milestone-form").GetByLabel("Evidence title").FillAsync("<script>document.body.dataset.pwned='yes'</script>");
        await SaveAndReloadAsync(page, "Log milestone");
        await WaitFor(page, "() => document.getElementById('timeline').textContent.includes('onerror')");
        (await page.EvaluateAsync<string?>("() => document.body.dataset.pwned ?? null")).ShouldBeNull();
        (await page.Locator("#timeline img").CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task The_status_filter_shows_only_pledges_with_that_status()
    {
        var page = await OpenAsync("/");
        await page.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync("Kept");
        var navigated = page.WaitForURLAsync("**status=Kept**");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await navigated;
        var badges = page.Locator("#pledge-list tbody tr .badge");
        (await badges.CountAsync()).ShouldBeGreaterThan(0);
        foreach (var status in await badges.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.status)"))
            status.ShouldBe("Kept");
    }

    [Fact]
    public async Task A_visitor_subscribes_a_webhook_from_the_dashboard_and_sees_the_secret_once()
    {
        await using var receiver = await R2PTracker.Testing.WebhookReceiver.StartAsync();
        var page = await OpenAsync("/");
        await page.GetByLabel("Channel").SelectOptionAsync("webhook");
        await page.GetByLabel("Webhook URL or e-mail address").FillAsync(receiver.BaseUrl + "/from-dashboard");
        await page.GetByLabel("Only this pledge (optional)").SelectOptionAsync("kh-r2p-3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await WaitFor(page, "() => document.getElementById('subscribe-result').textContent.includes('whsec_')");
        await Browser.ScreenshotAsync(page, "subscribed");
    }
}
