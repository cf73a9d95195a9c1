using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The overdue monitor running in the commitments process: at once after a write, and on its own timer.</summary>
public class OverdueTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> WaitForOverdueAsync(string id, bool overdue)
    {
        var gateway = deployment.Gateway();
        for (var i = 0; i < 100; i++)
        {
            var pledge = await gateway.GetFromJsonAsync<JsonElement>($"/api/pledges/{id}", Ct);
            if (pledge.GetProperty("overdue").GetBoolean() == overdue) return pledge;
            await Task.Delay(100, Ct);
        }
        throw new ShouldAssertException($"{id} did not become overdue={overdue} within 10 s");
    }

    private async Task<int> OverdueEventsAsync(string id) =>
        (await deployment.Gateway().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/history", Ct)).EnumerateArray()
            .Count(e => e.GetProperty("type").GetString() == "pledge_became_overdue");

    [Fact]
    public async Task A_pledge_registered_or_retargeted_with_a_past_date_becomes_overdue_once_each_time()
    {
        var id = "e2e-overdue-" + Guid.NewGuid().ToString("N")[..8];
        var admin = deployment.Gateway();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", deployment.AdminToken);
        (await admin.PostAsJsonAsync("/api/pledges", Deployment.PledgeBody(id, "2016-06"), Ct)).EnsureSuccessStatusCode();

        var overdue = await WaitForOverdueAsync(id, true);
        overdue.GetProperty("overdueSince").GetString().ShouldBe("2016-07-01");

        async Task RetargetAsync(JsonElement pledge, string targetDate, string reason)
        {
            using var retarget = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/target-date")
            {
                Content = JsonContent.Create(new { targetDate, reason }),
            };
            retarget.Headers.TryAddWithoutValidation("If-Match", $"\"{pledge.GetProperty("version").GetInt64()}\"");
            (await admin.SendAsync(retarget, Ct)).EnsureSuccessStatusCode();
        }

        await RetargetAsync(overdue, "2099-12-31", "The deadline was extended");
        var extended = await WaitForOverdueAsync(id, false);

        await RetargetAsync(extended, "2020", "The extension was withdrawn");
        await WaitForOverdueAsync(id, true);

        await Task.Delay(2500, Ct); // two more passes of the monitor's timer
        (await OverdueEventsAsync(id)).ShouldBe(2);
    }

    [Fact]
    public async Task A_pledge_no_monitor_was_told_about_is_found_by_the_monitors_timer()
    {
        // A second commitments instance without a monitor records the pledge, so nothing nudges the
        // deployment's monitor: only its pass every second (every minute by default) can find it.
        var (process, url) = await ServiceProcess.StartOnFreePortAsync(ServiceProcess.DllPath("commitments", "R2PTracker.Commitments"),
            new Dictionary<string, string>(deployment.CommitmentsEnvironment) { ["Overdue__Enabled"] = "false" });
        await using var other = process;

        var id = "e2e-timer-" + Guid.NewGuid().ToString("N")[..8];
        using var direct = ServiceProcess.InternalClient(url, deployment.SigningKey, "Other Instance", "admin");
        (await direct.PostAsJsonAsync("/api/pledges", Deployment.PledgeBody(id, "2019-12-31"), Ct)).EnsureSuccessStatusCode();

        (await WaitForOverdueAsync(id, true)).GetProperty("overdueSince").GetString().ShouldBe("2020-01-01");
        await Task.Delay(2500, Ct);
        (await OverdueEventsAsync(id)).ShouldBe(1);
    }
}
