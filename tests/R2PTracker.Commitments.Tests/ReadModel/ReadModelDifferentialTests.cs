using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Pledges.GettingPledges;
using R2PTracker.Commitments.Pledges.ReadModel;
using R2PTracker.Commitments.Recording;
using R2PTracker.Commitments.Tests.Integration;
using Shouldly;

namespace R2PTracker.Commitments.Tests.ReadModel;

/// <summary>
/// The read model against the fold it replaces (<see cref="PledgeAsOf"/>, the oracle): random streams
/// of every event type, appended a few events at a time through Marten into the real PostgreSQL, then
/// random days (and every day where something changed, and the day before) read from the read model
/// on both axes and compared with the fold of the stored events.
/// </summary>
public class ReadModelDifferentialTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_read_model_answers_what_the_fold_answers_on_both_axes_for_random_streams_and_days()
    {
        var random = new Random(20261202);
        var checkedDays = 0;
        for (var n = 0; n < 30; n++)
        {
            var id = $"diff-{Guid.NewGuid():N}"[..24];
            await AppendAsync(random, id, RandomStream(random, id));
            checkedDays += await CompareAsync(random, id);
        }
        checkedDays.ShouldBeGreaterThan(1000);
    }

    /// <summary>
    /// Streams whose events mostly come after everything before them (dated the same month again, or later;
    /// recorded the same day or later), as staff write them: most appends are then written from the read
    /// model's open spans (ReadModelWrites.Extend), which must come out as the fold does.
    /// </summary>
    [Fact]
    public async Task Appends_written_from_the_open_spans_answer_what_the_fold_answers()
    {
        var random = new Random(20261204);
        var checkedDays = 0;
        var paths = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == PledgeReadModelProjection.AppendsMetric) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (!Counting.Value) return;
            foreach (var tag in tags)
                if (tag.Key == "path")
                    lock (paths) paths[(string)tag.Value!] = paths.GetValueOrDefault((string)tag.Value!) + (int)value;
        });
        listener.Start();
        for (var n = 0; n < 20; n++)
        {
            var id = $"ext-{Guid.NewGuid():N}"[..24];
            Counting.Value = true;
            await AppendAsync(random, id, ForwardStream(random, id), clockBack: false);
            Counting.Value = false;
            checkedDays += await CompareAsync(random, id);
        }
        checkedDays.ShouldBeGreaterThan(1000);
        // Both ways were taken: most appends extended the open spans, the corrections, retractions and
        // back-dated facts among them were worked out from the stream.
        var (extended, streamed) = (paths.GetValueOrDefault("extend"), paths.GetValueOrDefault("stream"));
        extended.ShouldBeGreaterThan(2 * streamed, $"{extended} appends extended, {streamed} from the stream");
        streamed.ShouldBeGreaterThan(20);
    }

    /// <summary>
    /// Evidence for a retracted milestone, appended on its own and dated after everything: the occurred axis
    /// leaves it out with its milestone, so this append must be worked out from the stream, not extended.
    /// </summary>
    [Fact]
    public async Task Evidence_for_a_retracted_milestone_appended_later_counts_on_neither_axis_as_the_fold_has_it()
    {
        var random = new Random(11);
        var id = $"retr-{Guid.NewGuid():N}"[..24];
        List<object> events =
        [
            new PledgeRegistered(id, "Pledge", "Quote", "Prime Minister", "KH", "2015-09", null, null, null, "prevention",
                new SourceCitation("Source", "Publisher", null, null, null), "seed"),
            new MilestoneLogged(id, "ms-1", "Milestone", "d", "2016-03", [new Evidence("Report", null, null)], "alice"),
            new MilestoneLogged(id, "ms-2", "Milestone two", "d", "2016-04", [new Evidence("Report", null, null)], "alice"),
            new MilestoneRetracted(id, "ms-1", "wrong", "bob"),
            new EvidenceAttached(id, "ms-1", [new Evidence("Late report", null, null), new Evidence("Another", null, null)], "2016-05-02", "alice"),
            new EvidenceAttached(id, "ms-2", [new Evidence("Report three", null, null)], "2016-05-03", "alice"),
        ];
        await AppendAsync(random, id, events, clockBack: false, largestAppend: 1);
        (await CompareAsync(random, id)).ShouldBeGreaterThan(20);
    }

    private static readonly AsyncLocal<bool> Counting = new();

    /// <summary>Appends the stream a few events at a time, through Marten, with a clock that moves on (and now and then back a day).</summary>
    private async Task AppendAsync(Random random, string id, List<object> events, bool clockBack = true, int largestAppend = 3)
    {
        var clock = new SettableClock(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(random.Next(0, 24 * 300)));
        var version = 0L;
        for (var i = 0; i < events.Count;)
        {
            var chunk = events.Skip(i).Take(random.Next(1, largestAppend + 1)).ToList();
            // Mostly forward, same day or later; now and then a clock that went back a day.
            clock.Now = clock.Now.AddHours(clockBack && random.Next(10) == 0 ? -30 : random.Next(0, 60));
            await using var session = app.Store.LightweightSession();
            var stamped = await EventChain.StampAsync(session, id, version, chunk, clock, Ct);
            if (version == 0) session.Events.StartStream<Pledge>(id, stamped.ToArray<object>());
            else session.Events.Append(id, version + chunk.Count, stamped.ToArray<object>());
            await session.SaveChangesAsync(Ct);
            version += chunk.Count;
            i += chunk.Count;
        }
    }

    /// <summary>
    /// Random days, and every day where something changed and the days either side, read from the read model
    /// on both axes and compared with the fold of the stored events; then the pledge's search words. The number of days compared.
    /// </summary>
    private async Task<int> CompareAsync(Random random, string id)
    {
        await using var db = NpgsqlDataSource.Create(app.ConnectionString);
        var checkedDays = 0;
        await using var query = app.Store.QuerySession();
        var stored = (await query.Events.FetchStreamAsync(id, token: Ct)).Select(PledgeReadModelProjection.ToStored).ToList();
        foreach (var axis in new[] { Axis.Occurred, Axis.Recorded })
        {
            var days = Enumerable.Range(0, 15).Select(_ => new DateOnly(2014, 1, 1).AddDays(random.Next(0, 365 * 13))).ToList();
            foreach (var e in stored)
            {
                var day = axis == Axis.Recorded ? PledgeHistory.RecordedDay(e)
                    : PartialDate.TryParse(PledgeAsOf.OccurredOn(e.Data), out var on) ? on.Latest : (DateOnly?)null;
                if (day is { } d) days.AddRange([d, d.AddDays(-1), d.AddDays(1)]);
            }
            foreach (var day in days.Distinct())
            {
                var expected = PledgeAsOf.Fold(stored, day, axis);
                var actual = await GetPledgesSlice.AsOfAsync(db, id, day, axis, Ct);
                if (expected is null) actual.ShouldBeNull($"{id} as of {day} on {axis}");
                else
                {
                    actual.ShouldNotBeNull($"{id} as of {day} on {axis}");
                    var want = JsonSerializer.SerializeToNode(expected, ReadModelWrites.Json);
                    var got = JsonNode.Parse(actual);
                    JsonNode.DeepEquals(want, got).ShouldBeTrue($"{id} as of {day} on {axis}:\nfold: {want!.ToJsonString()}\nread: {got!.ToJsonString()}");
                }
                // The runs that counts, as-of pages and the series read hold the same status, overdue flag,
                // filter fields and sort keys.
                await using var run = db.CreateCommand(
                    $"select status, overdue, coalesce(theme, ''), actor, country, title, status_since_key, target_key, verifiability, "
                    + $"coalesce(reason_code, '-') from {ReadModelSchema.StatusRuns} "
                    + "where pledge_id = $1 and axis = $2 and daterange(valid_from, valid_to) @> $3");
                run.Parameters.Add(new NpgsqlParameter { Value = id });
                run.Parameters.Add(new NpgsqlParameter { Value = ReadModelWrites.Name(axis) });
                run.Parameters.Add(new NpgsqlParameter { Value = day });
                var runs = new List<string>();
                await using (var reader = await run.ExecuteReaderAsync(Ct))
                    while (await reader.ReadAsync(Ct))
                        runs.Add($"{reader.GetString(0)} {reader.GetBoolean(1)} {reader.GetString(2)} {reader.GetString(3)} {reader.GetString(4)} "
                                 + $"{reader.GetString(5)} {reader.GetString(6)} {reader.GetString(7)} {reader.GetString(8)} {reader.GetString(9)}");
                runs.ShouldBe(expected is null ? [] : [$"{expected.Status} {expected.Overdue} {expected.Theme ?? ""} {expected.Actor} {expected.Country} "
                                                       + $"{expected.Title} {ReadModelWrites.DateKey(expected.StatusSince)} {ReadModelWrites.DateKey(expected.TargetDate)} "
                                                       + $"{ReadModelWrites.VerifiabilityKey(expected.Verifiability)} {expected.StatusReasonCode?.ToString() ?? "-"}"],
                    $"status runs of {id} as of {day} on {axis}");
                checkedDays++;
            }
        }
        // The words q searches, kept a few events at a time, are the distinct words of the texts it
        // holds for the pledge now (corrections and retractions included).
        await using var texts = db.CreateCommand($"select text from {ReadModelSchema.Search} where pledge_id = $1");
        texts.Parameters.Add(new NpgsqlParameter { Value = id });
        var expectedWords = new SortedSet<string>(StringComparer.Ordinal);
        await using (var reader = await texts.ExecuteReaderAsync(Ct))
            while (await reader.ReadAsync(Ct))
                expectedWords.UnionWith(reader.GetString(0).ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        expectedWords.ShouldNotBeEmpty();
        await using var words = db.CreateCommand($"select words from {ReadModelSchema.Words} where pledge_id = $1");
        words.Parameters.Add(new NpgsqlParameter { Value = id });
        var kept = (string)(await words.ExecuteScalarAsync(Ct))!;
        new SortedSet<string>(kept.Split(' '), StringComparer.Ordinal).ShouldBe(expectedWords, $"search words of {id}");
        return checkedDays;
    }

    [Fact]
    public async Task A_pledge_whose_read_model_is_missing_is_written_again_on_catch_up_as_it_was()
    {
        var random = new Random(7);
        await using var db = NpgsqlDataSource.Create(app.ConnectionString);
        var id = $"catchup-{Guid.NewGuid():N}"[..24];
        var clock = new SettableClock(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var events = RandomStream(random, id);
        await using (var session = app.Store.LightweightSession())
        {
            session.Events.StartStream<Pledge>(id, (await EventChain.StampAsync(session, id, 0, events, clock, Ct)).ToArray<object>());
            await session.SaveChangesAsync(Ct);
        }
        var days = Enumerable.Range(0, 40).Select(_ => new DateOnly(2014, 1, 1).AddDays(random.Next(0, 365 * 13))).Append(new DateOnly(2025, 6, 1)).ToList();
        async Task<List<string?>> ReadAllAsync() =>
            [.. await Task.WhenAll(days.SelectMany(d => new[] { Axis.Occurred, Axis.Recorded }.Select(a => GetPledgesSlice.AsOfAsync(db, id, d, a, Ct))))];
        var before = await ReadAllAsync();
        before.ShouldContain(x => x != null);

        await using (var forget = app.Store.LightweightSession())
        {
            foreach (var step in ReadModelWrites.Forget(id)) forget.QueueSqlCommand(step.Sql, step.Args);
            await forget.SaveChangesAsync(Ct);
        }
        (await ReadAllAsync()).ShouldAllBe(x => x == null);

        (await ReadModelStartup.CatchUpAsync(db, app.Store, Ct)).ShouldBeGreaterThanOrEqualTo(1);
        (await ReadAllAsync()).ShouldBe(before);
    }

    private static string RandomDate(Random r)
    {
        var day = new DateOnly(2014, 6, 1).AddDays(r.Next(0, 365 * 11));
        return r.Next(3) switch
        {
            0 => day.ToString("yyyy"),
            1 => day.ToString("yyyy-MM"),
            _ => day.ToString("yyyy-MM-dd"),
        };
    }

    /// <summary>
    /// A stream as staff mostly write one: each event dated as the one before it (the same year, month or day
    /// again) or later, in every precision; now and then a back-dated fact, a correction or a retraction.
    /// </summary>
    private static List<object> ForwardStream(Random r, string id)
    {
        var day = new DateOnly(2015, 1, 1).AddDays(r.Next(0, 365));
        var last = day.ToString("yyyy-MM");
        string Next()
        {
            if (r.Next(3) == 0) return last;
            day = day.AddDays(r.Next(0, 90));
            var next = r.Next(3) switch { 0 => day.ToString("yyyy"), 1 => day.ToString("yyyy-MM"), _ => day.ToString("yyyy-MM-dd") };
            // A day inside the year (or month) just given would sort before it: that one again instead.
            var (a, b) = (PartialDate.Parse(next), PartialDate.Parse(last));
            return last = (a.Latest, a.Earliest).CompareTo((b.Latest, b.Earliest)) < 0 ? last : next;
        }
        IReadOnlyList<Evidence> Evidence() => [new Evidence($"Report {r.Next(100)}", null, null)];
        var events = new List<object>
        {
            new PledgeRegistered(id, "Pledge", "Quote", "Prime Minister", "KH", last, null, r.Next(2) == 0 ? null : "2030", null,
                "prevention", new SourceCitation("Source", "Publisher", null, null, null), "seed"),
        };
        var milestones = new List<string>();
        var status = PledgeStatus.NotYetRated;
        for (var i = 0; i < r.Next(20, 40); i++)
        {
            // Now and then a fact that happened a while before the latest one: it sorts before facts already stored.
            var on = r.Next(12) == 0 ? day.AddDays(-r.Next(1, 400)).ToString("yyyy-MM-dd") : Next();
            switch (r.Next(12))
            {
                case 0 or 1 or 2 or 3:
                    milestones.Add($"ms-{i}");
                    events.Add(new MilestoneLogged(id, $"ms-{i}", $"Milestone {i}", "d", on, Evidence(), "alice"));
                    break;
                case 4 when milestones.Count > 0 && r.Next(3) == 0:
                    events.Add(new MilestoneCorrected(id, milestones[r.Next(milestones.Count)], $"Corrected {i}", "c", on, Evidence(), "why", "bob"));
                    break;
                case 5 when milestones.Count > 0 && r.Next(3) == 0:
                    events.Add(new MilestoneRetracted(id, milestones[r.Next(milestones.Count)], "wrong", "bob"));
                    break;
                case 6:
                    events.Add(new EvidenceAttached(id, milestones.Count > 0 && r.Next(2) == 0 ? milestones[r.Next(milestones.Count)] : null, Evidence(), on, "alice"));
                    break;
                case 7:
                    var to = Enum.GetValues<PledgeStatus>()[r.Next(6)];
                    events.Add(new StatusAssessed(id, status, to, "because", Evidence(), on, "alice"));
                    status = to;
                    break;
                case 8:
                    events.Add(new ProgressAssessed(id, 0, r.Next(0, 101), "because", Evidence(), on, "alice"));
                    break;
                case 9:
                    events.Add(new TargetDateSet(id, null, RandomDate(r), null, "moved", on, "alice"));
                    break;
                case 10:
                    events.Add(new PledgeDetailsRevised(id, r.Next(2) == 0 ? $"Title {i}" : null, null, null, null, "typo", on, "bob"));
                    break;
                default:
                    var milestone = milestones.Count > 0 && r.Next(2) == 0 ? milestones[r.Next(milestones.Count)] : null;
                    events.Add(new TranslationAdded(id, milestone, milestone is null ? "title" : "description", "km", $"ការពារ {i}",
                        milestone is null ? "Pledge" : "d", "Sok Dara", TranslationAdded.Unofficial, null, on, "alice"));
                    break;
            }
        }
        return events;
    }

    private static List<object> RandomStream(Random r, string id)
    {
        IReadOnlyList<Evidence> Evidence() => Enumerable.Range(0, r.Next(1, 3)).Select(i => new Evidence($"Report {r.Next(100)}", null, null)).ToList();
        var events = new List<object>
        {
            new PledgeRegistered(id, "Pledge", "Quote", "Prime Minister", "KH", RandomDate(r), null, r.Next(2) == 0 ? null : RandomDate(r), null,
                "prevention", new SourceCitation("Source", "Publisher", null, r.Next(2) == 0 ? null : "https://example.org/s", null), "seed",
                r.Next(2) == 0 ? null : Enum.GetValues<Verifiability>()[r.Next(3)], "screened at registration"),
        };
        var milestones = new List<string>();
        var status = PledgeStatus.NotYetRated;
        var progress = 0;
        Verifiability? verifiability = ((PledgeRegistered)events[0]).Verifiability;
        for (var i = 0; i < r.Next(4, 25); i++)
        {
            switch (r.Next(11))
            {
                case 0 or 1:
                    var m = $"ms-{i}";
                    milestones.Add(m);
                    events.Add(new MilestoneLogged(id, m, $"Milestone {i}", "d", RandomDate(r), Evidence(), "alice"));
                    break;
                case 2 when milestones.Count > 0:
                    events.Add(new MilestoneCorrected(id, milestones[r.Next(milestones.Count)], $"Corrected {i}", "c", RandomDate(r), Evidence(), "why", "bob"));
                    break;
                case 3 when milestones.Count > 0:
                    events.Add(new MilestoneRetracted(id, milestones[r.Next(milestones.Count)], "wrong", "bob"));
                    break;
                case 4:
                    events.Add(new EvidenceAttached(id, milestones.Count > 0 && r.Next(2) == 0 ? milestones[r.Next(milestones.Count)] : null, Evidence(), RandomDate(r), "alice"));
                    break;
                case 5:
                    var to = Enum.GetValues<PledgeStatus>()[r.Next(6)];
                    // Stalled and Broken mostly with a coded reason, now and then without (as older verdicts are).
                    StatusReasonCode? code = to is PledgeStatus.Stalled or PledgeStatus.Broken && r.Next(4) > 0
                        ? Enum.GetValues<StatusReasonCode>()[r.Next(6)] : null;
                    events.Add(new StatusAssessed(id, status, to, "because", Evidence(), RandomDate(r), "alice", code));
                    status = to;
                    break;
                case 6:
                    var p = r.Next(0, 101);
                    events.Add(new ProgressAssessed(id, progress, p, "because", Evidence(), RandomDate(r), "alice"));
                    progress = p;
                    break;
                case 7:
                    events.Add(new TargetDateSet(id, null, RandomDate(r), null, "moved", RandomDate(r), "alice"));
                    break;
                case 8:
                    events.Add(new PledgeDetailsRevised(id, r.Next(2) == 0 ? $"Title {i}" : null, null, r.Next(2) == 0 ? "Minister" : null, null, "typo", RandomDate(r), "bob"));
                    break;
                case 9 when r.Next(2) == 0:
                    // Of the title as registered or as revised, or of a milestone's description as logged or corrected.
                    var milestone = milestones.Count > 0 && r.Next(2) == 0 ? milestones[r.Next(milestones.Count)] : null;
                    events.Add(new TranslationAdded(id, milestone, milestone is null ? "title" : "description", "km", $"ការពារ {i}",
                        milestone is null ? (r.Next(2) == 0 ? "Pledge" : $"Title {r.Next(i + 1)}") : (r.Next(2) == 0 ? "d" : "c"),
                        "Sok Dara", TranslationAdded.Unofficial, null, RandomDate(r), "alice"));
                    break;
                case 10:
                    var rating = Enum.GetValues<Verifiability>()[r.Next(3)];
                    events.Add(new VerifiabilityAssessed(id, verifiability, rating, $"screen {i}", RandomDate(r), "carol"));
                    verifiability = rating;
                    break;
                default:
                    events.Add(new PledgeBecameOverdue(id, "2020", RandomDate(r), "overdue-monitor"));
                    break;
            }
        }
        return events;
    }
}
