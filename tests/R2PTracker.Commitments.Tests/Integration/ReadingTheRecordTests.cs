using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

public class ReadingTheRecordTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string Yesterday => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd");
    private static string Today => DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd");

    private async Task<JsonElement> Get(string url) => await app.Anonymous().GetFromJsonAsync<JsonElement>(url, Ct);

    [Fact]
    public async Task As_of_2015_the_focal_point_is_not_kept_and_as_of_2017_it_is()
    {
        await app.SeedAsync();
        (await Get("/api/pledges/kh-r2p-focal-point?asOf=2015-12-31")).GetProperty("status").GetString().ShouldBe("NotYetRated");
        (await Get("/api/pledges/kh-r2p-focal-point?asOf=2015-12-31&axis=occurred")).GetProperty("status").GetString().ShouldBe("NotYetRated");
        (await Get("/api/pledges/kh-r2p-focal-point?asOf=2017-01-01")).GetProperty("status").GetString().ShouldBe("Kept");

        var list2015 = await Get("/api/pledges?asOf=2015-12-31");
        list2015.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "kh-r2p-focal-point")
            .GetProperty("status").GetString().ShouldBe("NotYetRated");
        var list2017 = await Get("/api/pledges?asOf=2017-01-01&axis=occurred");
        list2017.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "kh-r2p-focal-point")
            .GetProperty("status").GetString().ShouldBe("Kept");
    }

    [Fact]
    public async Task Before_the_keynote_no_pledge_exists_on_the_occurred_axis()
    {
        await app.SeedAsync();
        (await Get("/api/pledges?asOf=2015-01-31")).EnumerateArray()
            .Select(p => p.GetProperty("id").GetString()).ShouldNotContain("kh-r2p-1");
        (await app.Anonymous().GetAsync("/api/pledges/kh-r2p-1?asOf=2015-01-31", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task On_the_recorded_axis_a_pledge_recorded_today_is_absent_yesterday_and_shown_as_recorded_today()
    {
        await app.SeedAsync();
        (await app.Anonymous().GetAsync($"/api/pledges/kh-r2p-focal-point?asOf={Yesterday}&axis=recorded", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Get($"/api/pledges?asOf={Yesterday}&axis=recorded")).EnumerateArray()
            .Select(p => p.GetProperty("id").GetString()).ShouldNotContain("kh-r2p-focal-point");
        (await Get($"/api/pledges/kh-r2p-focal-point?asOf={Today}&axis=recorded")).GetProperty("status").GetString().ShouldBe("Kept");
    }

    [Fact]
    public async Task An_as_of_read_shows_what_was_written_after_an_earlier_as_of_read()
    {
        // The as-of reads keep streams in memory; a later write must still show (see StreamEventCache).
        var staff = app.Staff();
        // A theme of its own, so the list holds this pledge on its first page however many other tests registered.
        var id = NewId();
        var theme = "as-of-" + id;
        (await staff.PostAsJsonAsync("/api/pledges", new
        {
            id, title = "Appoint a national focal point", quote = "The royal government could appoint a national focal point",
            actor = "Royal Government of Cambodia", country = "KH", madeOn = "2015-02", theme,
            source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" },
        }, Ct)).EnsureSuccessStatusCode();
        MilestoneCountIn(await Get($"/api/pledges?asOf=2020-01-01&theme={theme}"), id).ShouldBe(0);
        (await Get($"/api/pledges/{id}?asOf=2020-01-01")).GetProperty("milestoneCount").GetInt32().ShouldBe(0);

        var logged = await staff.SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Focal point named", occurredOn = "2019-12", evidence = new[] { new { title = "Letter" } } }, "\"1\""), Ct);
        logged.EnsureSuccessStatusCode();
        var milestoneId = (await logged.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("milestones")[0].GetProperty("id").GetString();
        MilestoneCountIn(await Get($"/api/pledges?asOf=2020-01-01&theme={theme}"), id).ShouldBe(1);
        MilestoneCountIn(await Get($"/api/pledges?asOf=2019-11-30&theme={theme}"), id).ShouldBe(0);
        (await Get($"/api/pledges/{id}?asOf=2020-01-01")).GetProperty("milestoneCount").GetInt32().ShouldBe(1);

        (await staff.SendAsync(Post($"/api/pledges/{id}/milestones/{milestoneId}/retraction",
            new { reason = "Wrong pledge" }, "\"2\""), Ct)).EnsureSuccessStatusCode();
        MilestoneCountIn(await Get($"/api/pledges?asOf=2020-01-01&theme={theme}"), id).ShouldBe(0);
        var recorded = await Get($"/api/pledges/{id}?asOf={Today}&axis=recorded");
        recorded.GetProperty("version").GetInt64().ShouldBe(3);
        recorded.GetProperty("milestones")[0].GetProperty("retracted").GetBoolean().ShouldBeTrue();
    }

    private static int MilestoneCountIn(JsonElement list, string id) =>
        list.EnumerateArray().Single(p => p.GetProperty("id").GetString() == id).GetProperty("milestoneCount").GetInt32();

    [Fact]
    public async Task Bad_as_of_or_axis_returns_400_naming_the_parameter()
    {
        var response = await app.Anonymous().GetAsync("/api/pledges?asOf=31/12/2015&axis=sideways", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.TryGetProperty("asOf", out _).ShouldBeTrue();
        errors.TryGetProperty("axis", out _).ShouldBeTrue();
        (await app.Anonymous().GetAsync("/api/tallies?asOf=yesterday", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Tallies_count_by_status_and_the_focal_point_as_kept_late()
    {
        await app.SeedAsync();
        var then = await Get("/api/tallies?asOf=2017-01-01");
        then.GetProperty("byStatus").GetProperty("Kept").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        then.GetProperty("kept").GetProperty("late").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        // Other tests register pledges made on random days; the seed's actor picks out the seed's seven.
        var seed = Uri.EscapeDataString("Prime Minister Hun Sen, Royal Government of Cambodia");
        (await Get($"/api/tallies?asOf=2015-01-31&actor={seed}")).GetProperty("total").GetInt32().ShouldBe(0);
        (await Get($"/api/tallies?asOf=2016-01-01&actor={seed}")).GetProperty("total").GetInt32().ShouldBeGreaterThan(0);
        // (The on-time rule: TallyRuleTests.)
    }

    [Fact]
    public async Task The_timeline_is_ordered_by_occurred_on_not_by_recording()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("InTheWorks", occurredOn: "2023-09-16"), "\"1\""), Ct)).EnsureSuccessStatusCode();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Focal point appointed", occurredOn = "2016", evidence = new[] { new { title = "CICP report" } } }, "\"2\""), Ct)).EnsureSuccessStatusCode();

        var timeline = await Get($"/api/pledges/{id}/timeline");
        timeline.EnumerateArray().Select(e => e.GetProperty("occurredOn").GetString()).ShouldBe(["2015-02", "2016", "2023-09-16"]);
        timeline.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1L, 3L, 2L]);
        timeline[1].GetProperty("recordedAt").GetDateTimeOffset().ShouldBeGreaterThan(timeline[2].GetProperty("recordedAt").GetDateTimeOffset());
        timeline[1].GetProperty("actor").GetString().ShouldBe("Prime Minister Hun Sen, Royal Government of Cambodia");
        timeline[1].GetProperty("evidence")[0].GetProperty("title").GetString().ShouldBe("CICP report");
    }

    [Fact]
    public async Task Timeline_entries_carry_their_display_fields_so_no_reader_parses_the_event_data()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("InTheWorks", reason: "Training under way"), "\"1\""), Ct)).EnsureSuccessStatusCode();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/progress",
            new { progress = 30, reason = "A third done", evidence = new[] { new { title = "CICP report" } }, occurredOn = "2023-10" }, "\"2\""), Ct)).EnsureSuccessStatusCode();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Focal point appointed", description = "Named by the ministry", occurredOn = "2016", evidence = new[] { new { title = "CICP report" } } }, "\"3\""), Ct))
            .EnsureSuccessStatusCode();

        var timeline = (await Get($"/api/pledges/{id}/timeline")).EnumerateArray().ToDictionary(e => e.GetProperty("type").GetString()!);
        var registered = timeline["PledgeRegistered"];
        registered.GetProperty("title").GetString().ShouldBe("Appoint a national focal point");
        registered.GetProperty("targetDate").GetString().ShouldBe("2015-08-31");
        registered.GetProperty("status").ValueKind.ShouldBe(JsonValueKind.Null);
        var status = timeline["StatusAssessed"];
        status.GetProperty("statusFrom").GetString().ShouldBe("NotYetRated");
        status.GetProperty("status").GetString().ShouldBe("InTheWorks");
        status.GetProperty("reason").GetString().ShouldBe("Training under way");
        status.GetProperty("progress").ValueKind.ShouldBe(JsonValueKind.Null);
        var progress = timeline["ProgressAssessed"];
        progress.GetProperty("progressFrom").GetInt32().ShouldBe(0);
        progress.GetProperty("progress").GetInt32().ShouldBe(30);
        progress.GetProperty("reason").GetString().ShouldBe("A third done");
        var milestone = timeline["MilestoneLogged"];
        milestone.GetProperty("title").GetString().ShouldBe("Focal point appointed");
        milestone.GetProperty("summary").GetString().ShouldBe("Named by the ministry");
        milestone.GetProperty("milestoneId").GetString().ShouldNotBeNullOrEmpty();
        milestone.GetProperty("reason").ValueKind.ShouldBe(JsonValueKind.Null);

        // The hash is the event's link in the chain, as the history gives it.
        var history = (await Get($"/api/pledges/{id}/history")).EnumerateArray().ToDictionary(e => e.GetProperty("version").GetInt64(), e => e.GetProperty("hash").GetString());
        foreach (var entry in timeline.Values)
            entry.GetProperty("hash").GetString().ShouldBe(history[entry.GetProperty("version").GetInt64()]);
    }

    [Fact]
    public async Task History_lists_every_event_with_version_and_a_chained_hash_and_verify_agrees()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct)).EnsureSuccessStatusCode();

        var history = await Get($"/api/pledges/{id}/history");
        history.GetArrayLength().ShouldBe(2);
        history[0].GetProperty("version").GetInt64().ShouldBe(1);
        history[1].GetProperty("type").GetString().ShouldBe("status_assessed");
        var hashes = history.EnumerateArray().Select(e => e.GetProperty("hash").GetString()!).ToList();
        hashes.ShouldAllBe(h => h.Length == 64);
        hashes.Distinct().Count().ShouldBe(2);

        var verify = await Get($"/api/pledges/{id}/verify");
        verify.GetProperty("valid").GetBoolean().ShouldBeTrue();
        verify.GetProperty("headHash").GetString().ShouldBe(hashes[1]);
        verify.GetProperty("brokenAtVersion").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Changing_an_event_directly_in_PostgreSQL_is_reported_at_its_version()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), "\"1\""), Ct)).EnsureSuccessStatusCode();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("InTheWorks"), "\"2\""), Ct)).EnsureSuccessStatusCode();
        (await Get($"/api/pledges/{id}/verify")).GetProperty("valid").GetBoolean().ShouldBeTrue();

        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var update = new NpgsqlCommand(
                "update commitments.mt_events set data = jsonb_set(data, '{reason}', '\"Nothing happened\"') where stream_id = $1 and version = 2", connection);
            update.Parameters.Add(new NpgsqlParameter { Value = id });
            (await update.ExecuteNonQueryAsync(Ct)).ShouldBe(1);
        }

        var verify = await Get($"/api/pledges/{id}/verify");
        verify.GetProperty("valid").GetBoolean().ShouldBeFalse();
        verify.GetProperty("brokenAtVersion").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task Changing_the_recorded_at_time_is_detected_too()
    {
        var id = await RegisterAsync(app.Staff());
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var update = new NpgsqlCommand(
                "update commitments.mt_events set timestamp = timestamp - interval '1 year' where stream_id = $1 and version = 1", connection);
            update.Parameters.Add(new NpgsqlParameter { Value = id });
            await update.ExecuteNonQueryAsync(Ct);
        }
        (await Get($"/api/pledges/{id}/verify")).GetProperty("brokenAtVersion").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task History_and_verify_of_an_unknown_pledge_are_404()
    {
        (await app.Anonymous().GetAsync("/api/pledges/nope-nope/history", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Anonymous().GetAsync("/api/pledges/nope-nope/verify", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Anonymous().GetAsync("/api/pledges/nope-nope/timeline", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
