using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>Counting rules on pledges of a theme of their own, so other tests' pledges are not counted.</summary>
public class TallyRuleTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> PledgeAsync(string theme, string? targetDate, string keptOn)
    {
        var id = NewId();
        var pledge = JsonSerializer.SerializeToNode(NewPledge(id))!.AsObject();
        pledge["theme"] = theme;
        pledge["targetDate"] = targetDate;
        (await app.Staff().PostAsJsonAsync("/api/pledges", pledge, Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Kept", "Done", keptOn), "\"1\""), Ct)).EnsureSuccessStatusCode();
        return id;
    }

    [Fact]
    public async Task Kept_is_on_time_up_to_the_last_day_of_the_target_date_late_after_it_and_apart_without_one()
    {
        var theme = "tally-rule-" + Guid.NewGuid().ToString("N")[..8];
        await PledgeAsync(theme, "2016", "2016-12-31");     // the target's last day: on time
        await PledgeAsync(theme, "2016", "2016");           // a year kept against a year: its last day, on time
        await PledgeAsync(theme, "2016-06", "2016-07-01");  // the day after June: late
        await PledgeAsync(theme, "2016-06-15", "2016-06");  // June's last day is after the 15th: late
        await PledgeAsync(theme, null, "2016-03");          // no target

        var tallies = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/tallies?theme={theme}", Ct);
        tallies.GetProperty("total").GetInt32().ShouldBe(5);
        tallies.GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBe(5);
        var kept = tallies.GetProperty("kept");
        (kept.GetProperty("onTime").GetInt32(), kept.GetProperty("late").GetInt32(), kept.GetProperty("withoutTarget").GetInt32()).ShouldBe((2, 2, 1));

        // As of a day between: only what was kept by then, and the list counts the same pledges.
        var asOf = await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/tallies?theme={theme}&asOf=2016-06-30", Ct);
        asOf.GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBe(2);
        var list = await app.Anonymous().GetAsync($"/api/pledges?theme={theme}&asOf=2016-06-30&status=Kept", Ct);
        list.Headers.GetValues("X-Total-Count").Single().ShouldBe("2");
    }

    [Fact]
    public async Task A_partial_as_of_date_means_its_last_day()
    {
        var theme = "partial-as-of-" + Guid.NewGuid().ToString("N")[..8];
        var id = await PledgeAsync(theme, "2016", "2016-11-20");
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}?asOf=2016", Ct)).GetProperty("status").GetString().ShouldBe("Kept");
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}?asOf=2016-11", Ct)).GetProperty("status").GetString().ShouldBe("Kept");
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}?asOf=2016-10", Ct)).GetProperty("status").GetString().ShouldBe("NotYetRated");
        (await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/tallies?theme={theme}&asOf=2016", Ct))
            .GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBe(1);
    }
}
