using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Integration;

public class SeedingTests(CommitmentsApp app)
{
    private static readonly string[] SeedIds = ["kh-r2p-1", "kh-r2p-2", "kh-r2p-3", "kh-r2p-4", "kh-r2p-5", "kh-r2p-6", "kh-r2p-focal-point"];

    [Fact]
    public async Task Seeding_registers_the_seven_pledges_once_and_a_second_run_adds_nothing()
    {
        await app.SeedAsync();
        var second = await app.SeedAsync();
        second.ShouldBe(0);

        var pledges = await app.Anonymous().GetFromJsonAsync<JsonElement>("/api/pledges", TestContext.Current.CancellationToken);
        var ids = pledges.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        foreach (var id in SeedIds) ids.ShouldContain(id);

        var first = pledges.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "kh-r2p-1");
        first.GetProperty("quote").GetString()!.ShouldStartWith("First, I believe that Cambodia has an important role to play");
        first.GetProperty("actor").GetString().ShouldBe("Prime Minister Hun Sen, Royal Government of Cambodia");
        first.GetProperty("country").GetString().ShouldBe("KH");
        first.GetProperty("madeOn").GetString().ShouldBe("2015-02");

        var focal = pledges.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "kh-r2p-focal-point");
        focal.GetProperty("status").GetString().ShouldBe("Kept");
        focal.GetProperty("statusSince").GetString().ShouldBe("2016");
        focal.GetProperty("targetDate").GetString().ShouldBe("2015-08-31");
    }

    [Fact]
    public async Task Seeded_events_are_attributed_to_the_seed_actor_and_keep_their_date_precision()
    {
        await app.SeedAsync();
        var timeline = await app.Anonymous().GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-4/timeline", TestContext.Current.CancellationToken);

        timeline.EnumerateArray().ShouldAllBe(e => e.GetProperty("recordedBy").GetString() == "seed:r2p-tracker");
        var dates = timeline.EnumerateArray().Select(e => e.GetProperty("occurredOn").GetString()).ToList();
        // The last two are the Khmer drafts of the title and quote, dated the day they were made.
        dates.ShouldBe(["2015-02", "2019-12", "2023-09-16", "2023-09-16", "2026-12-03", "2026-12-03"]);
    }
}
