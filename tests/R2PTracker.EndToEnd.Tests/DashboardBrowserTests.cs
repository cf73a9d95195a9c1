using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Shouldly;

[assembly: AssemblyFixture(typeof(R2PTracker.EndToEnd.Tests.Browser))]

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The dashboard in a real browser, through the gateway, against the three running services.</summary>
public class DashboardBrowserTests(Deployment deployment, Browser browser) : IAsyncDisposable
{
    private static readonly List<string> Log = [];

    /// <summary>The browser contexts this test opened: closed after it, so that their pages' live-updates
    /// connections do not pile up against the gateway's per-client cap for the tests that follow.</summary>
    private readonly List<IBrowserContext> _contexts = [];

    private async Task<IBrowserContext> NewContextAsync()
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = deployment.GatewayUrl });
        _contexts.Add(context);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
        GC.SuppressFinalize(this);
    }

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
        context ??= await NewContextAsync();
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { lock (Log) Log.Add($"[{message.Type}] {message.Text}"); };
        page.PageError += (_, error) => { lock (Log) Log.Add($"[page error] {error}"); };
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(path);
        return page;
    }

    private async Task<IBrowserContext> SignedInAsync()
    {
        var context = await NewContextAsync();
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
        (await Row(page, "kh-r2p-focal-point").InnerTextAsync()).ShouldContain("31 August 2015");
        (await Row(page, "kh-r2p-focal-point").Locator(".badge").GetAttributeAsync("data-status")).ShouldBe("Kept");
        (await page.Locator("#tallies li[data-status='Kept'] .count").InnerTextAsync()).ShouldNotBe("0");
        await Browser.ScreenshotAsync(page, "list");
    }

    [Fact]
    public async Task The_switch_shows_the_list_a_pledge_and_the_sign_in_page_in_Khmer_and_back_in_English()
    {
        var context = await NewContextAsync();
        var page = await OpenAsync("/?status=Kept", context);
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("en");

        // The switch is a form: it keeps the choice in a cookie and comes back to the same list.
        await page.GetByRole(AriaRole.Button, new() { Name = "ភាសាខ្មែរ" }).ClickAsync();
        await page.WaitForURLAsync("**/?status=Kept");
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("km");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("ការប្តេជ្ញា");
        (await Row(page, "kh-r2p-focal-point").Locator(".badge").InnerTextAsync()).ShouldBe("បានរក្សាការសន្យា");
        (await Row(page, "kh-r2p-focal-point").InnerTextAsync()).ShouldContain("31 សីហា 2015");
        (await page.Locator("body").EvaluateAsync<string>("e => getComputedStyle(e).fontFamily")).ShouldStartWith("\"Khmer OS\"");
        await KhmerScreenshotAsync(page, "km-list");

        await Row(page, "kh-r2p-focal-point").Locator("a").First.ClickAsync();
        await page.WaitForURLAsync("**/pledges/kh-r2p-focal-point");
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("km");
        (await page.Locator("#pledge-view h2, #status-history h2").First.InnerTextAsync()).ShouldBe("ស្ថានភាពតាមពេលវេលា");
        await KhmerScreenshotAsync(page, "km-pledge");

        await page.GetByRole(AriaRole.Link, new() { Name = "ការចូលសម្រាប់បុគ្គលិក" }).ClickAsync();
        await page.WaitForURLAsync("**/sign-in");
        (await page.GetByLabel("ថូខឹនបុគ្គលិក (token)").CountAsync()).ShouldBe(1);
        await KhmerScreenshotAsync(page, "km-sign-in");

        await page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
        await page.WaitForURLAsync("**/sign-in");
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("en");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Staff sign-in");
    }

    private static async Task KhmerScreenshotAsync(IPage page, string name)
    {
        await Browser.ScreenshotAsync(page, name);
        new FileInfo(Path.Combine(Browser.ScreenshotDir, name + ".png")).Length.ShouldBeGreaterThan(0);
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
        // A pledge of the test's own, listed alone on the watching dashboard: no other test writes to it.
        var theme = NewTheme();
        var id = (await RegisterAsync(theme, "Propose an ASEAN network of focal points"))[0];
        var watcher = await OpenAsync($"/?theme={Uri.EscapeDataString(theme)}");
        (await Row(watcher, id).Locator(".badge").GetAttributeAsync("data-status")).ShouldBe("NotYetRated");
        const string target = "Stalled";

        var staff = await SignedInAsync();
        var page = await OpenAsync($"/pledges/{id}", staff);
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
            $"() => document.querySelector(\"#pledge-list tr[data-pledge-id='{id}'] .badge\")?.dataset.status === '{target}'",
            timeout: 2_000);
        await Browser.ScreenshotAsync(watcher, "live-update");
    }

    [Fact]
    public async Task A_stale_edit_shows_the_conflict_message_and_saves_nothing()
    {
        var id = (await RegisterAsync(NewTheme(), "A pledge edited twice"))[0];
        var staff = await SignedInAsync();
        var first = await OpenAsync($"/pledges/{id}", staff);
        var second = await OpenAsync($"/pledges/{id}", staff);

        await first.GetByLabel("Title", new() { Exact = true }).FillAsync("Statement at an ASEAN meeting");
        await first.Locator("#milestone-form").GetByLabel("Evidence title").FillAsync("Meeting record");
        await SaveAndReloadAsync(first, "Log milestone");
        await WaitFor(first, "() => [...document.querySelectorAll('#timeline li strong')].some(s => s.textContent === 'Statement at an ASEAN meeting')");

        await second.GetByLabel("Title", new() { Exact = true }).FillAsync("A stale milestone");
        await second.Locator("#milestone-form").GetByLabel("Evidence title").FillAsync("Stale evidence");
        await second.GetByRole(AriaRole.Button, new() { Name = "Log milestone" }).ClickAsync();
        await WaitFor(second, "() => document.getElementById('write-result').textContent.includes('changed by someone else')");
        await Browser.ScreenshotAsync(second, "stale-edit");

        var fresh = await OpenAsync($"/pledges/{id}");
        (await fresh.Locator("#timeline").InnerTextAsync()).ShouldNotContain("A stale milestone");
    }

    [Fact]
    public async Task In_Khmer_a_refused_staff_write_names_the_field_in_Khmer_and_saves_nothing()
    {
        var id = (await RegisterAsync(NewTheme(), "A pledge written to in Khmer"))[0];
        var staff = await SignedInAsync();
        var page = await OpenAsync($"/pledges/{id}?lang=km", staff);
        await page.Locator("#ms-title").FillAsync("ដំណាក់កាលដែលមានកាលបរិច្ឆេទខុស");
        await page.Locator("#ms-ev-title").FillAsync("របាយការណ៍");
        // Khmer digits the form's pattern lets through, of a month that does not exist: commitments refuses it.
        await page.Locator("#ms-occurred").FillAsync("២០១៩-១៣");
        await page.Locator("#milestone-form button[type=submit]").ClickAsync();
        await WaitFor(page, "() => document.getElementById('write-result').textContent.includes(\"'occurredOn' មិនត្រឹមត្រូវទេ៖\")");
        (await page.Locator("#write-result").InnerTextAsync()).ShouldStartWith("មិនបានរក្សាទុក៖");
        await KhmerScreenshotAsync(page, "refused-write");

        var fresh = await OpenAsync($"/pledges/{id}");
        (await fresh.Locator("#timeline").InnerTextAsync()).ShouldNotContain("ដំណាក់កាលដែលមានកាលបរិច្ឆេទខុស");
    }

    [Fact]
    public async Task Staff_ask_for_a_reply_to_a_verdict_and_record_it_and_readers_see_it_beside_the_verdict()
    {
        var id = (await RegisterAsync(NewTheme(), "A pledge with a right of reply"))[0];
        var staff = await SignedInAsync();
        var page = await OpenAsync($"/pledges/{id}", staff);
        await page.GetByLabel("New status").SelectOptionAsync("Stalled");
        await page.GetByLabel("Reason", new() { Exact = true }).First.FillAsync("No budget line was found.");
        await page.Locator("#status-form").GetByLabel("Evidence title").FillAsync("Budget review");
        await SaveAndReloadAsync(page, "Save status");

        await page.GetByLabel("Asked of").FillAsync("Ministry of Economy and Finance");
        await page.GetByLabel("Reply due by (YYYY, YYYY-MM or YYYY-MM-DD)").FillAsync("2099-06-30");
        await SaveAndReloadAsync(page, "Record the request");
        (await page.Locator(".reply").InnerTextAsync()).ShouldContain("Ministry of Economy and Finance has been asked to respond to this verdict by 30 June 2099.");

        await page.GetByLabel("On behalf of").FillAsync("Ministry of Economy and Finance");
        await page.GetByLabel("The reply, as given").FillAsync("The line is in next year's budget.");
        await page.GetByLabel("Source (document or letter, optional)").FillAsync("Letter of 2 June");
        await SaveAndReloadAsync(page, "Record the reply");
        await Browser.ScreenshotAsync(page, "reply");

        var reader = await OpenAsync($"/pledges/{id}");
        var reply = await reader.Locator(".reply").InnerTextAsync();
        reply.ShouldContain("Reply on behalf of Ministry of Economy and Finance");
        reply.ShouldContain("The line is in next year's budget.");
        reply.ShouldContain("Source: Letter of 2 June");
        (await reader.Locator("#timeline").InnerTextAsync()).ShouldContain("Reply requested from Ministry of Economy and Finance by 30 June 2099");
        (await reader.Locator("#reply-form").CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Staff_screen_a_pledge_and_code_a_verdicts_reason_and_the_list_filters_and_counts_by_both()
    {
        var theme = NewTheme();
        var ids = await RegisterAsync(theme, "Screened and broken", "Screened only", "Never screened");
        var (broken, screened, unscreened) = (ids[0], ids[1], ids[2]);
        var staff = await SignedInAsync();
        var page = await OpenAsync($"/pledges/{broken}", staff);
        (await page.Locator("p.verifiability").InnerTextAsync()).ShouldContain("Not yet screened");
        await page.GetByLabel("Verifiability", new() { Exact = true }).SelectOptionAsync("Verifiable");
        await page.Locator("#verifiability-form").GetByLabel("Reason").FillAsync("It names a deliverable and a date.");
        await SaveAndReloadAsync(page, "Save verifiability");
        await page.GetByLabel("New status").SelectOptionAsync("Broken");
        await page.GetByLabel("Coded reason (Stalled or Broken only)").SelectOptionAsync("NoFunding");
        await page.Locator("#status-form").GetByLabel("Reason", new() { Exact = true }).FillAsync("No budget line was found.");
        await page.Locator("#status-form").GetByLabel("Evidence title").FillAsync("Budget review");
        await SaveAndReloadAsync(page, "Save status");
        (await page.Locator("p.verifiability").InnerTextAsync()).ShouldContain("Verifiability: Verifiable");
        (await page.Locator("p.verifiability").InnerTextAsync()).ShouldContain("It names a deliverable and a date.");
        (await page.Locator("p.reason-code").InnerTextAsync()).ShouldBe("Coded reason: No funding");
        (await page.Locator("#timeline").InnerTextAsync()).ShouldContain("Verifiability assessed: Verifiable");

        using (var api = deployment.StaffThroughGateway())
        {
            var screen = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{screened}/verifiability")
            {
                Content = JsonContent.Create(new { verifiability = "Partly", reason = "No date is given." }),
            };
            screen.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            (await api.SendAsync(screen, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        }

        var list = await OpenAsync("/");
        await list.GetByLabel("Theme").FillAsync(theme);
        var verifiability = list.GetByRole(AriaRole.Group, new() { Name = "Verifiability", Exact = true });
        var reasons = list.GetByRole(AriaRole.Group, new() { Name = "Reason (stalled or broken)" });
        await verifiability.GetByLabel("Verifiable", new() { Exact = true }).CheckAsync();
        await reasons.GetByLabel("No funding").CheckAsync();
        await SubmitAsync(list, "**reason=NoFunding**");
        list.Url.ShouldContain("verifiability=Verifiable");
        (await ShownIds(list)).ShouldBe([broken]);
        (await Row(list, broken).Locator(".reason-code").InnerTextAsync()).ShouldBe("No funding");
        (await list.Locator("#tallies li[data-reason='NoFunding'] .count").InnerTextAsync()).ShouldBe("1");
        (await reasons.GetByLabel("No funding").IsCheckedAsync()).ShouldBeTrue();
        await Browser.ScreenshotAsync(list, "verifiability-filter");

        await reasons.GetByLabel("No funding").UncheckAsync();
        await verifiability.GetByLabel("Verifiable", new() { Exact = true }).UncheckAsync();
        await verifiability.GetByLabel("Partly verifiable").CheckAsync();
        await verifiability.GetByLabel("Not yet screened").CheckAsync();
        await SubmitAsync(list, "**verifiability=NotScreened**");
        (await ShownIds(list)).Order(StringComparer.Ordinal).ShouldBe(new[] { screened, unscreened }.Order(StringComparer.Ordinal));
        (await list.Locator("#tallies li[data-verifiability='Partly'] .count").InnerTextAsync()).ShouldBe("1");
        (await list.Locator("#tallies li[data-verifiability='NotScreened'] .count").InnerTextAsync()).ShouldBe("1");
        (await list.Locator("#tallies li[data-verifiability='Verifiable'] .count").InnerTextAsync()).ShouldBe("0");
    }

    [Fact]
    public async Task User_text_is_escaped_not_interpreted()
    {
        var id = (await RegisterAsync(NewTheme(), "A pledge with hostile text"))[0];
        var staff = await SignedInAsync();
        var page = await OpenAsync($"/pledges/{id}", staff);
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
        await page.GetByRole(AriaRole.Group, new() { Name = "Status" }).GetByLabel("Promise kept").CheckAsync();
        var navigated = page.WaitForURLAsync("**status=Kept**");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await navigated;
        var badges = page.Locator("#pledge-list table.pledges tbody tr .badge");
        (await badges.CountAsync()).ShouldBeGreaterThan(0);
        foreach (var status in await badges.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.status)"))
            status.ShouldBe("Kept");
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Registers pledges of a theme of their own through the gateway (as admin), so no other test's changes show in them.</summary>
    private async Task<List<string>> RegisterAsync(string theme, params string[] titles)
    {
        using var admin = deployment.Gateway();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", deployment.AdminToken);
        var ids = new List<string>();
        foreach (var title in titles)
        {
            var id = "e2e-" + Guid.NewGuid().ToString("N")[..10];
            var response = await admin.PostAsJsonAsync("/api/pledges", new
            {
                id,
                title,
                quote = "We will do it.",
                actor = "A government",
                country = "KH",
                madeOn = "2015-02",
                theme,
                source = new { title = "A newspaper", publisher = "A publisher" },
            }, TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
            ids.Add(id);
        }
        return ids;
    }

    private static string NewTheme() => "theme " + Guid.NewGuid().ToString("N")[..8];

    private static Task<string[]> ShownIds(IPage page) =>
        page.Locator("#pledge-list table.pledges tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.pledgeId)");

    private static async Task SubmitAsync(IPage page, string urlPattern)
    {
        var navigated = page.WaitForURLAsync(urlPattern);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await navigated;
    }

    [Fact]
    public async Task The_home_chart_stacks_a_band_per_status_marks_the_as_of_date_and_its_table_has_the_series_figures()
    {
        // Pledges of the test's own, so that no other test changes the figures between the page and the API.
        var theme = NewTheme();
        var ids = await RegisterAsync(theme, "Kept early", "In the works later", "Never rated");
        await deployment.ChangeStatusAsync(ids[0], "Kept", "\"1\"", occurredOn: "2016");
        await deployment.ChangeStatusAsync(ids[1], "InTheWorks", "\"1\"", occurredOn: "2019-12-31");
        var page = await OpenAsync($"/?theme={Uri.EscapeDataString(theme)}&asOf=2018-06-30&axis=occurred");
        var svg = page.Locator("#status-chart svg[role='img']");
        (await svg.CountAsync()).ShouldBe(1);
        (await svg.GetAttributeAsync("aria-labelledby")).ShouldBe("chart-title chart-summary");

        // The table alternative gives every point; the series behind it is fetched here as any client would.
        var rows = await page.Locator("#chart-table tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.date, ...[...r.querySelectorAll('td')].map(td => td.textContent.trim())])");
        rows.Length.ShouldBeGreaterThan(12);
        var from = rows[0][0]![..4];
        var todayText = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var series = await deployment.Gateway().GetFromJsonAsync<List<JsonElement>>(
            $"/api/tallies/series?theme={Uri.EscapeDataString(theme)}&from={from}&to={todayText}&interval=month&axis=occurred", Web, TestContext.Current.CancellationToken);
        string[] statuses = ["NotYetRated", "InTheWorks", "Stalled", "Kept", "Compromise", "Broken"];
        var expected = series!.Select(p => new[] { p.GetProperty("date").GetString()! }
            .Concat(statuses.Select(s => p.GetProperty("byStatus").GetProperty(s).GetInt32().ToString()))
            .Append(p.GetProperty("overdue").GetInt32().ToString()).Append(p.GetProperty("total").GetInt32().ToString()).ToArray()).ToArray();
        rows.ShouldBe(expected);

        // One band for each status that occurs in the series, coloured as its badge.
        var present = statuses.Where(s => series!.Any(p => p.GetProperty("byStatus").GetProperty(s).GetInt32() > 0)).ToArray();
        present.ShouldBe(["NotYetRated", "InTheWorks", "Kept"]);
        (await svg.Locator("polygon.band").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.status)")).ShouldBe(present);
        foreach (var status in present)
        {
            var fill = await svg.Locator($"polygon.band[data-status='{status}']").EvaluateAsync<string>("e => getComputedStyle(e).fill");
            var badge = await page.Locator($"#tallies li[data-status='{status}'] .badge").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
            fill.ShouldBe(badge, status);
        }

        // The as-of marker: a line within the x axis and its label.
        var marker = svg.Locator(".as-of-marker");
        (await marker.GetAttributeAsync("data-date")).ShouldBe("2018-06-30");
        (await marker.TextContentAsync() ?? "").ShouldContain("As of 30 June 2018");
        var x = double.Parse((await marker.Locator("line").GetAttributeAsync("x1"))!, System.Globalization.CultureInfo.InvariantCulture);
        var axis = await svg.Locator("line.axis").First.EvaluateAsync<double[]>("l => [l.x1.baseVal.value, l.x2.baseVal.value]");
        x.ShouldBeInRange(axis[0], axis[1]);
        // …at its date: between the year ticks of 2018 and 2019.
        var ticks = await svg.Locator("text.tick.x").EvaluateAllAsync<string[][]>("ts => ts.map(t => [t.textContent, t.getAttribute('x')])");
        double Tick(string year) => double.Parse(ticks.Single(t => t[0] == year)[1], System.Globalization.CultureInfo.InvariantCulture);
        x.ShouldBeInRange(Tick("2018"), Tick("2019"));
        await Browser.ScreenshotAsync(page, "chart-as-of-2018");

        var today = await OpenAsync("/");
        (await today.Locator("#status-chart polygon.band").CountAsync()).ShouldBeGreaterThan(0);
        (await today.Locator("#status-chart .as-of-marker").CountAsync()).ShouldBe(0);
        await Browser.ScreenshotAsync(today, "chart-today");
    }

    [Fact]
    public async Task Searching_for_an_English_or_a_Khmer_word_shows_only_the_pledges_that_have_it()
    {
        var theme = NewTheme();
        // A word no seed text has (the seed's Khmer drafts are searched too, and speak of responsibility).
        var khmer = (await RegisterAsync(theme, "វគ្គបណ្តុះបណ្តាលនៅសាកលវិទ្យាល័យស្វាយរៀង"))[0];

        var page = await OpenAsync("/");
        await page.GetByLabel("Search").FillAsync("Rome");
        var navigated = page.WaitForURLAsync("**q=Rome**");
        await page.GetByLabel("Search").PressAsync("Enter");
        await navigated;
        (await ShownIds(page)).ShouldBe(["kh-r2p-2"]);
        (await page.Locator("#match-count").InnerTextAsync()).ShouldBe("1 pledge matches");
        (await page.GetByLabel("Search").InputValueAsync()).ShouldBe("Rome");
        await Browser.ScreenshotAsync(page, "search-english");

        await page.GetByLabel("Search").FillAsync("ស្វាយរៀង");
        navigated = page.WaitForURLAsync("**q=**");
        await page.GetByLabel("Search").PressAsync("Enter");
        await navigated;
        (await ShownIds(page)).ShouldBe([khmer]);
        await Browser.ScreenshotAsync(page, "search-khmer");
    }

    [Fact]
    public async Task Statuses_theme_and_sort_combine_and_a_bad_value_is_explained_on_the_page()
    {
        var theme = NewTheme();
        var ids = await RegisterAsync(theme, "Charlie pledge", "Alpha pledge", "Bravo pledge");
        var (charlie, alpha, bravo) = (ids[0], ids[1], ids[2]);
        await deployment.ChangeStatusAsync(bravo, "Kept", "\"1\"");
        await deployment.ChangeStatusAsync(charlie, "Broken", "\"1\"");

        var page = await OpenAsync("/");
        await page.GetByLabel("Theme").FillAsync(theme);
        var statuses = page.GetByRole(AriaRole.Group, new() { Name = "Status" });
        await statuses.GetByLabel("Not yet rated").CheckAsync();
        await statuses.GetByLabel("Promise kept").CheckAsync();
        await page.GetByLabel("Sort by").SelectOptionAsync("title");
        await SubmitAsync(page, "**sort=title**");
        page.Url.ShouldContain("status=NotYetRated&status=Kept");
        (await ShownIds(page)).ShouldBe([alpha, bravo]);
        (await page.Locator("#match-count").InnerTextAsync()).ShouldBe("2 pledges match");
        (await page.Locator("#tallies li[data-status='Kept'] .count").InnerTextAsync()).ShouldBe("1");
        (await page.Locator("#tallies li[data-status='Broken'] .count").InnerTextAsync()).ShouldBe("0");
        // The choices stay as chosen.
        (await statuses.GetByLabel("Promise kept").IsCheckedAsync()).ShouldBeTrue();
        (await statuses.GetByLabel("Promise broken").IsCheckedAsync()).ShouldBeFalse();
        await Browser.ScreenshotAsync(page, "filtered-sorted");

        await statuses.GetByLabel("Not yet rated").UncheckAsync();
        await statuses.GetByLabel("Promise kept").UncheckAsync();
        await page.GetByLabel("Sort by").SelectOptionAsync("statusSince");
        await SubmitAsync(page, "**sort=statusSince**");
        // Both rated since 2023-09-16 (then by id); never rated, so no date, last.
        (await ShownIds(page)).ShouldBe([.. new[] { charlie, bravo }.Order(StringComparer.Ordinal), alpha]);

        var bad = await page.GotoAsync("/?limit=9999&theme=" + Uri.EscapeDataString(theme));
        bad!.Status.ShouldBe(400);
        (await page.Locator("#list-error").InnerTextAsync()).ShouldContain("'limit' must be a whole number from 1 to 500");
        bad = await page.GotoAsync("/?sort=sideways");
        bad!.Status.ShouldBe(400);
        (await page.Locator("#list-error").InnerTextAsync()).ShouldContain("'sort' must be one of");
        await Browser.ScreenshotAsync(page, "bad-value");

        // In Khmer the reader is told in Khmer, naming the parameter.
        bad = await page.GotoAsync("/?lang=km&limit=9999&sort=sideways");
        bad!.Status.ShouldBe(400);
        var khmer = await page.Locator("#list-error").InnerTextAsync();
        khmer.ShouldContain("'limit' ត្រូវតែជាចំនួនគត់ពី 1 ដល់ 500។");
        khmer.ShouldContain("'sort' ត្រូវតែជា id, title, statusSince ឬ targetDate។");
        khmer.ShouldNotContain("must be");
        await Browser.ScreenshotAsync(page, "bad-value-km");
    }

    [Fact]
    public async Task The_pages_of_a_long_list_follow_each_other_and_the_first_page_link_goes_back()
    {
        var theme = NewTheme();
        var ids = await RegisterAsync(theme, Enumerable.Range(1, 12).Select(i => $"Paged pledge {i:00}").ToArray());

        var page = await OpenAsync("/");
        await page.GetByLabel("Theme").FillAsync(theme);
        await page.GetByLabel("Per page").SelectOptionAsync("10");
        await SubmitAsync(page, "**limit=10**");
        var first = await ShownIds(page);
        first.Length.ShouldBe(10);
        (await page.Locator("#match-count").InnerTextAsync()).ShouldBe("12 pledges match (showing 10 on this page)");
        (await page.Locator("#first-page").CountAsync()).ShouldBe(0);

        var navigated = page.WaitForURLAsync("**cursor=**");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await navigated;
        var second = await ShownIds(page);
        second.Length.ShouldBe(2);
        (await page.Locator("#next-page").CountAsync()).ShouldBe(0);
        first.Concat(second).ShouldBe(ids.Order(StringComparer.Ordinal));
        (await page.GetByLabel("Theme").InputValueAsync()).ShouldBe(theme);
        await Browser.ScreenshotAsync(page, "second-page");

        await page.GetByRole(AriaRole.Link, new() { Name = "First page" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("cursor="));
        (await ShownIds(page)).ShouldBe(first);
    }

    [Fact]
    public async Task The_pledge_page_shows_its_status_history_as_bands_with_a_table()
    {
        var id = (await RegisterAsync(NewTheme(), "A pledge with a history"))[0];
        await deployment.ChangeStatusAsync(id, "InTheWorks", "\"1\"", occurredOn: "2016-05");
        await deployment.ChangeStatusAsync(id, "Stalled", "\"2\"", occurredOn: "2019-12-31");
        await deployment.ChangeStatusAsync(id, "Kept", "\"3\"", occurredOn: "2023-09-16");
        var spans = await deployment.Gateway().GetFromJsonAsync<List<JsonElement>>($"/api/pledges/{id}/status-history", Web, TestContext.Current.CancellationToken);
        spans!.Select(s => s.GetProperty("status").GetString()).ShouldBe(["NotYetRated", "InTheWorks", "Stalled", "Kept"]);

        var page = await OpenAsync($"/pledges/{id}");
        var bands = page.Locator("#status-history svg[role='img'] rect.band");
        (await bands.EvaluateAllAsync<string[][]>("els => els.map(e => [e.dataset.status, e.dataset.from])"))
            .ShouldBe(spans!.Select(s => new[] { s.GetProperty("status").GetString()!, s.GetProperty("from").GetString()! }).ToArray());
        (await bands.Last.GetAttributeAsync("data-until")).ShouldBe(DateTime.UtcNow.ToString("yyyy-MM-dd"));
        var widths = await bands.EvaluateAllAsync<double[]>("els => els.map(e => e.width.baseVal.value)");
        widths.ShouldAllBe(w => w > 0);
        (await page.Locator("#status-history-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.status)"))
            .ShouldBe(["NotYetRated", "InTheWorks", "Stalled", "Kept"]);
        var fill = await bands.Last.EvaluateAsync<string>("e => getComputedStyle(e).fill");
        fill.ShouldBe(await page.Locator("#pledge-view .status-line .badge").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        // The timeline reads the entries' display fields.
        (await page.Locator("#timeline li[data-type='StatusAssessed'] strong").AllInnerTextsAsync())
            .ShouldBe(["Status: Not yet rated → In the works", "Status: In the works → Stalled", "Status: Stalled → Promise kept"]);
        await Browser.ScreenshotAsync(page, "status-bands");

        var asOf = await OpenAsync($"/pledges/{id}?asOf=2020-06-30&axis=occurred");
        (await asOf.Locator("#status-history rect.band").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.status)"))
            .ShouldBe(["NotYetRated", "InTheWorks", "Stalled"]);
        (await asOf.Locator("#status-history rect.band").Last.GetAttributeAsync("data-until")).ShouldBe("2020-06-30");
    }

    /// <summary>Reloads the page until <paramref name="done"/> holds: the log takes an event a moment after it is recorded.</summary>
    private static async Task ReloadUntilAsync(IPage page, Func<Task<bool>> done, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} was not shown on {page.Url} within {seconds} s.");
            // Not faster: each page holds a live-updates connection until the gateway notices it closed,
            // and every test here is one client to the gateway's per-client cap on them.
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            await page.ReloadAsync();
        }
    }

    private async Task<long> LiveTreeSizeAsync()
    {
        var note = await deployment.Gateway().GetStringAsync("/api/log/checkpoint", TestContext.Current.CancellationToken);
        return long.Parse(note.Split('\n')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task After_a_change_the_pledge_page_links_each_entry_to_its_log_proof_and_the_verify_page_shows_the_live_tree()
    {
        var id = (await RegisterAsync(NewTheme(), "A pledge in the log"))[0];
        await deployment.ChangeStatusAsync(id, "InTheWorks", "\"1\"");
        // The log takes the events a moment after the append: wait for it over HTTP, not by reloading the page.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var timeline = await deployment.Gateway().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/timeline", Web, TestContext.Current.CancellationToken);
            if (timeline.EnumerateArray().Count(e => e.GetProperty("logIndex").ValueKind == JsonValueKind.Number) == 2) break;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var page = await OpenAsync($"/pledges/{id}");
        var links = page.Locator("#timeline > li .log-entry a");
        await ReloadUntilAsync(page, async () => await links.CountAsync() == 2, "a log entry link for both entries");
        var texts = await links.AllInnerTextsAsync();
        texts.ShouldAllBe(t => System.Text.RegularExpressions.Regex.IsMatch(t, @"^Log entry #\d+$"));
        texts.Distinct().Count().ShouldBe(2);
        // The link is a proof of that entry against a signed tree, as the log serves it.
        var proof = await deployment.Gateway().GetFromJsonAsync<JsonElement>((await links.Last.GetAttributeAsync("href"))!, Web, TestContext.Current.CancellationToken);
        proof.GetProperty("index").GetInt64().ShouldBe(long.Parse(texts[^1]["Log entry #".Length..], System.Globalization.CultureInfo.InvariantCulture));
        await Browser.ScreenshotAsync(page, "pledge-log-entries");

        // Other tests add to the log meanwhile: the page shows a tree at least as new as the one read before it.
        var before = await LiveTreeSizeAsync();
        var verify = await OpenAsync("/verify");
        var shown = 0L;
        await ReloadUntilAsync(verify, async () => (shown = long.Parse(await verify.Locator("#tree-size").InnerTextAsync(),
            System.Globalization.CultureInfo.InvariantCulture)) >= before, $"a tree of at least {before} entries");
        shown.ShouldBeLessThanOrEqualTo(await LiveTreeSizeAsync());
        (await verify.Locator("#log-key-value").InnerTextAsync()).ShouldBe((await deployment.Gateway().GetStringAsync("/api/log/key", TestContext.Current.CancellationToken)).Trim());
        (await verify.Locator("#commands").InnerTextAsync()).ShouldContain($"r2p-verify verify-export events.ndjson --key");
        (await verify.Locator("#commands").InnerTextAsync()).ShouldContain($"{deployment.GatewayUrl}/api/export/events.ndjson");
        await Browser.ScreenshotAsync(verify, "verify");
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
