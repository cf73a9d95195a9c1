using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>
/// A commitments instance with two-person review as shipped (no Review:VerdictApprovals given: the default, 1) on the
/// deployment's database and broker, and a gateway of its own in front of it.
/// </summary>
public sealed class ReviewedDeployment(Deployment deployment) : IAsyncLifetime
{
    private ServiceProcess? _commitments;
    private ServiceProcess? _gateway;
    private DirectoryInfo? _home;

    public string GatewayUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var environment = new Dictionary<string, string>(deployment.CommitmentsEnvironment);
        environment.Remove(Deployment.ReviewApprovalsSetting);
        var (commitments, commitmentsUrl) = await ServiceProcess.StartOnFreePortAsync(ServiceProcess.DllPath("commitments", "R2PTracker.Commitments"), environment);
        _commitments = commitments;
        var (gateway, url, home) = await deployment.AnotherGatewayAsync(new Dictionary<string, string>
        {
            ["ReverseProxy__Clusters__commitments__Destinations__primary__Address"] = commitmentsUrl + "/",
        });
        (_gateway, GatewayUrl, _home) = (gateway, url, home);
    }

    public HttpClient As(string token) => new() { BaseAddress = new Uri(GatewayUrl), DefaultRequestHeaders = { Authorization = new("Bearer", token) } };

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null) await _gateway.DisposeAsync();
        if (_commitments is not null) await _commitments.DisposeAsync();
        _home?.Delete(recursive: true);
    }
}

/// <summary>Two-person review in the browser, through the gateway: one editor proposes a verdict, another approves it.</summary>
public class ReviewBrowserTests(Deployment deployment, ReviewedDeployment reviewed, Browser browser) : IClassFixture<ReviewedDeployment>, IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly List<IBrowserContext> _contexts = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
        GC.SuppressFinalize(this);
    }

    private async Task<IBrowserContext> SignedInAsync(string token, string name)
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = reviewed.GatewayUrl });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Staff token").FillAsync(token);
        await page.GetByLabel("Staff token").PressAsync("Enter");
        await page.WaitForURLAsync("**/");
        (await page.Locator(".who").InnerTextAsync()).ShouldContain(name);
        await page.CloseAsync();
        return context;
    }

    private static async Task<IPage> OpenAsync(IBrowserContext context, string path)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(path);
        return page;
    }

    /// <summary>Clicks a button whose form saves and reloads the page, and waits for the reload.</summary>
    private static async Task ClickAndReloadAsync(IPage page, ILocator button)
    {
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLoad(object? sender, IPage loaded) => reloaded.TrySetResult();
        page.Load += OnLoad;
        try
        {
            await button.ClickAsync();
            await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            page.Load -= OnLoad;
        }
    }

    private async Task<string> RegisterAsync()
    {
        var id = "review-" + Guid.NewGuid().ToString("N")[..10];
        using var admin = reviewed.As(deployment.AdminToken);
        (await admin.PostAsJsonAsync("/api/pledges", Deployment.PledgeBody(id), Ct)).EnsureSuccessStatusCode();
        return id;
    }

    [Fact]
    public async Task One_editor_proposes_a_verdict_and_another_approves_it_from_the_review_desk()
    {
        var id = await RegisterAsync();
        var proposer = await SignedInAsync(deployment.StaffToken, Deployment.StaffName);
        var page = await OpenAsync(proposer, $"/pledges/{id}");
        await page.GetByLabel("New status").SelectOptionAsync("Broken");
        await page.GetByLabel("Reason", new() { Exact = true }).First.FillAsync("No focal point was named by the target date.");
        await page.Locator("#status-form").GetByLabel("Evidence title").FillAsync("Monitor's review of the record");
        await ClickAndReloadAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save status" }));
        // A proposal: the status is as it was; the proposer sees it waiting, and cannot approve it.
        (await page.Locator("#pledge-view .status-line .badge").GetAttributeAsync("data-status")).ShouldBe("NotYetRated");
        (await page.Locator("#open-proposal .proposed").InnerTextAsync()).ShouldContain("Promise broken");
        (await page.Locator("#open-proposal .own-proposal").CountAsync()).ShouldBe(1);
        (await page.Locator("#open-proposal form[data-action='approval']").CountAsync()).ShouldBe(0);
        await Browser.ScreenshotAsync(page, "review-proposed");

        // A reader sees nothing of it beyond the record's timeline entry: no review forms.
        using (var reader = new HttpClient { BaseAddress = new Uri(reviewed.GatewayUrl) })
            (await reader.GetStringAsync($"/pledges/{id}", Ct)).ShouldNotContain("open-proposal");

        var approver = await SignedInAsync(deployment.AdminToken, "Arun Admin");
        var desk = await OpenAsync(approver, "/review");
        var item = desk.Locator($"#proposal-queue li[data-pledge-id='{id}']");
        (await item.Locator(".meta").First.InnerTextAsync()).ShouldContain(Deployment.StaffName);
        await Browser.ScreenshotAsync(desk, "review-desk");
        await ClickAndReloadAsync(desk, item.GetByRole(AriaRole.Button, new() { Name = "Approve and publish the verdict" }));
        (await desk.Locator($"#proposal-queue li[data-pledge-id='{id}']").CountAsync()).ShouldBe(0);

        var published = await OpenAsync(approver, $"/pledges/{id}");
        (await published.Locator("#pledge-view .status-line .badge").GetAttributeAsync("data-status")).ShouldBe("Broken");
        (await published.Locator("#timeline li[data-type='StatusAssessed'] .reviewed").InnerTextAsync())
            .ShouldBe($"Proposed by {Deployment.StaffName}; approved by Arun Admin.");
        await Browser.ScreenshotAsync(published, "review-approved");
    }

    [Fact]
    public async Task The_review_desk_and_its_queue_are_for_staff_only()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(reviewed.GatewayUrl) };
        var page = await anonymous.GetAsync("/review", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldStartWith("/sign-in");
        (await anonymous.GetAsync("/api/proposals", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var staff = reviewed.As(deployment.StaffToken);
        var queue = await staff.GetAsync("/api/proposals", Ct);
        queue.StatusCode.ShouldBe(HttpStatusCode.OK, await queue.Content.ReadAsStringAsync(Ct));
        (await queue.Content.ReadFromJsonAsync<JsonElement>(Ct)).ValueKind.ShouldBe(JsonValueKind.Array);
        queue.Headers.CacheControl?.Public.ShouldNotBe(true);
    }
}
