using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using R2PTracker.Commitments.Recording;
using R2PTracker.Commitments.Tests.Integration;
using R2PTracker.Testing;
using R2PTracker.TransparencyLog;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Log;

/// <summary>
/// The transparency log on the real host and PostgreSQL. Other test classes write (and tamper) in the same
/// database meanwhile, so these tests check their own events' proofs, never the whole tree's leaves.
/// </summary>
public class TransparencyLogTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> Get(string url) => await app.Anonymous().GetFromJsonAsync<JsonElement>(url, Ct);

    private async Task<(SignedNote Note, Checkpoint Checkpoint)> CheckpointAsync()
    {
        var text = await app.Anonymous().GetStringAsync("/api/log/checkpoint", Ct);
        var note = SignedNote.Parse(text);
        return (note, Checkpoint.Parse(note.Text));
    }

    /// <summary>The pledge's history once every event has its log index (the log follows the append within a second or so).</summary>
    private async Task<JsonElement> LoggedHistoryAsync(string id, int events)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var history = await Get($"/api/pledges/{id}/history");
            if (history.GetArrayLength() == events && history.EnumerateArray().All(e => e.GetProperty("logIndex").ValueKind == JsonValueKind.Number))
                return history;
            await Task.Delay(100, Ct);
        }
        throw new TimeoutException($"The events of {id} were not logged within 15 s.");
    }

    private async Task<string> PledgeWithEventsAsync(int statusChanges)
    {
        var id = await RegisterAsync(app.Staff());
        for (var v = 1; v <= statusChanges; v++)
            (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(v % 2 == 0 ? "Stalled" : "InTheWorks"), $"\"{v}\""), Ct))
                .EnsureSuccessStatusCode();
        return id;
    }

    [Fact]
    public async Task Each_event_gets_one_index_and_the_signed_checkpoint_proves_its_canonical_form()
    {
        var id = await PledgeWithEventsAsync(2);
        var history = await LoggedHistoryAsync(id, 3);
        var indices = history.EnumerateArray().Select(e => e.GetProperty("logIndex").GetInt64()).ToList();
        indices.Distinct().Count().ShouldBe(3);

        var key = NoteVerifier.Parse((await app.Anonymous().GetStringAsync("/api/log/key", Ct)).Trim());
        var (note, checkpoint) = await CheckpointAsync();
        note.IsSignedBy(key).ShouldBeTrue();
        key.VerifierKey.ShouldBe(TestEnvironment.LogSigner.VerifierKey);
        checkpoint.Origin.ShouldBe(TestEnvironment.LogOrigin);
        checkpoint.TreeSize.ShouldBeGreaterThan(indices.Max());

        foreach (var e in history.EnumerateArray())
        {
            var index = e.GetProperty("logIndex").GetInt64();
            var entry = (await Get($"/api/log/entries?start={index}&end={index + 1}")).EnumerateArray().Single();
            entry.GetProperty("index").GetInt64().ShouldBe(index);
            entry.GetProperty("eventId").GetGuid().ShouldBe(e.GetProperty("eventId").GetGuid());
            entry.GetProperty("pledgeId").GetString().ShouldBe(id);
            entry.GetProperty("version").GetInt64().ShouldBe(e.GetProperty("version").GetInt64());
            // The leaf is the event's canonical form, the one its chain hash covers.
            var leaf = Convert.FromBase64String(entry.GetProperty("leaf").GetString()!);
            Encoding.UTF8.GetString(leaf).ShouldBe(EventHashing.Canonical(id, e.GetProperty("version").GetInt64(), e.GetProperty("eventId").GetGuid(),
                e.GetProperty("type").GetString()!, DateTimeOffset.Parse(e.GetProperty("recordedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                e.GetProperty("data").GetRawText()));

            var proof = await Get($"/api/log/proof/inclusion?index={index}&treeSize={checkpoint.TreeSize}");
            proof.GetProperty("index").GetInt64().ShouldBe(index);
            proof.GetProperty("treeSize").GetInt64().ShouldBe(checkpoint.TreeSize);
            var leafHash = Convert.FromBase64String(proof.GetProperty("leafHash").GetString()!);
            leafHash.ShouldBe(Merkle.LeafHash(leaf));
            var hashes = proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();
            Merkle.VerifyInclusion(index, checkpoint.TreeSize, leafHash, hashes, checkpoint.RootHash).ShouldBeTrue();
            // …and not for another index.
            Merkle.VerifyInclusion(index == 0 ? 1 : index - 1, checkpoint.TreeSize, leafHash, hashes, checkpoint.RootHash).ShouldBeFalse();
        }
    }

    [Fact]
    public async Task A_later_checkpoint_is_consistent_with_an_earlier_one()
    {
        var first = await PledgeWithEventsAsync(0);
        await LoggedHistoryAsync(first, 1);
        var (_, earlier) = await CheckpointAsync();
        var second = await PledgeWithEventsAsync(1);
        await LoggedHistoryAsync(second, 2);
        var (note, later) = await CheckpointAsync();
        note.IsSignedBy(NoteVerifier.Parse(TestEnvironment.LogSigner.VerifierKey)).ShouldBeTrue();
        later.TreeSize.ShouldBeGreaterThanOrEqualTo(earlier.TreeSize + 2);

        var proof = await Get($"/api/log/proof/consistency?from={earlier.TreeSize}&to={later.TreeSize}");
        proof.GetProperty("from").GetInt64().ShouldBe(earlier.TreeSize);
        proof.GetProperty("to").GetInt64().ShouldBe(later.TreeSize);
        var hashes = proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();
        Merkle.VerifyConsistency(earlier.TreeSize, later.TreeSize, earlier.RootHash, later.RootHash, hashes).ShouldBeTrue();
        // A forged earlier root is not consistent with the later tree.
        var forged = earlier.RootHash.ToArray();
        forged[0] ^= 1;
        Merkle.VerifyConsistency(earlier.TreeSize, later.TreeSize, forged, later.RootHash, hashes).ShouldBeFalse();
    }

    [Theory]
    [InlineData("/api/log/proof/inclusion?treeSize=1", "index")]
    [InlineData("/api/log/proof/inclusion?index=-1&treeSize=1", "index")]
    [InlineData("/api/log/proof/inclusion?index=abc&treeSize=1", "index")]
    [InlineData("/api/log/proof/inclusion?index=%D9%A3&treeSize=5", "index")]
    [InlineData("/api/log/proof/inclusion?index=0&treeSize=0", "treeSize")]
    [InlineData("/api/log/proof/inclusion?index=0&treeSize=999999999999", "treeSize")]
    [InlineData("/api/log/proof/inclusion?index=1&treeSize=1", "index")]
    [InlineData("/api/log/proof/inclusion?index=0&treeSize=1&extra=1", "extra")]
    [InlineData("/api/log/proof/inclusion?index=0&index=1&treeSize=2", "index")]
    [InlineData("/api/log/proof/consistency?from=0&to=1", "from")]
    [InlineData("/api/log/proof/consistency?from=2&to=1", "from")]
    [InlineData("/api/log/proof/consistency?from=1&to=99999999999999999999", "to")]
    [InlineData("/api/log/proof/consistency?from=1", "to")]
    [InlineData("/api/log/entries?start=0&end=1001", "end")]
    [InlineData("/api/log/entries?start=1&end=1", "start")]
    [InlineData("/api/log/entries?start=0&end=999999999999", "end")]
    [InlineData("/api/log/entries?start=x&end=1", "start")]
    [InlineData("/api/log/checkpoint?r=1", "r")]
    public async Task Malformed_or_out_of_range_log_arguments_are_400_problems_naming_them(string url, string field)
    {
        // Enough entries for the in-range arguments above to be valid but for the one named.
        var id = await PledgeWithEventsAsync(1);
        await LoggedHistoryAsync(id, 2);
        var response = await app.Anonymous().GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync(Ct));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    private async Task<NpgsqlConnection> DatabaseAsync()
    {
        var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var connection = await DatabaseAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task Verify_finds_history_rewritten_with_every_chain_hash_recomputed_by_the_log()
    {
        var id = await PledgeWithEventsAsync(2);
        await LoggedHistoryAsync(id, 3);
        await ExecuteAsync("update commitments.mt_events set data = jsonb_set(data, '{reason}', '\"Nothing happened\"') where stream_id = $1 and version = 2", id);
        // Whoever rewrites the data can recompute the chain too: the chain alone then says "valid".
        var previous = EventHashing.Genesis;
        await foreach (var link in EventChain.ReadRawAsync(NpgsqlDataSource.Create(app.ConnectionString), id, Ct))
        {
            previous = EventHashing.Hash(previous, EventHashing.Canonical(link.StreamId, link.Version, link.EventId, link.Type, link.RecordedAt, link.DataJson));
            await ExecuteAsync("update commitments.mt_events set headers = jsonb_set(headers, '{hash}', to_jsonb($2::text)) where stream_id = $1 and version = $3",
                id, previous, link.Version);
        }

        var verify = await Get($"/api/pledges/{id}/verify");
        verify.GetProperty("brokenAtVersion").ValueKind.ShouldBe(JsonValueKind.Null);
        verify.GetProperty("valid").GetBoolean().ShouldBeFalse();
        var discrepancy = verify.GetProperty("logDiscrepancies").EnumerateArray().Single();
        discrepancy.GetProperty("version").GetInt64().ShouldBe(2);
        discrepancy.GetProperty("problem").GetString()!.ShouldContain("differs from what the log recorded");
    }

    [Fact]
    public async Task Verify_finds_a_deleted_last_event_and_a_deleted_pledge_by_the_log()
    {
        var id = await PledgeWithEventsAsync(1);
        var whole = await PledgeWithEventsAsync(1);
        await LoggedHistoryAsync(id, 2);
        await LoggedHistoryAsync(whole, 2);
        (await Get($"/api/pledges/{id}/verify")).GetProperty("valid").GetBoolean().ShouldBeTrue();

        await ExecuteAsync("delete from commitments.mt_events where stream_id = $1 and version = 2", id);
        await ExecuteAsync("update commitments.mt_streams set version = 1 where id = $1", id);
        var verify = await Get($"/api/pledges/{id}/verify");
        verify.GetProperty("brokenAtVersion").ValueKind.ShouldBe(JsonValueKind.Null);
        verify.GetProperty("valid").GetBoolean().ShouldBeFalse();
        verify.GetProperty("logDiscrepancies")[0].GetProperty("problem").GetString()!.ShouldContain("no longer in the store");

        await ExecuteAsync("delete from commitments.mt_events where stream_id = $1", whole);
        await ExecuteAsync("delete from commitments.mt_streams where id = $1", whole);
        var gone = await Get($"/api/pledges/{whole}/verify");
        gone.GetProperty("valid").GetBoolean().ShouldBeFalse();
        gone.GetProperty("events").GetInt32().ShouldBe(0);
        gone.GetProperty("logDiscrepancies").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task An_append_to_a_stream_whose_head_lost_its_hash_is_refused_with_503_instead_of_restarting_the_chain()
    {
        var id = await RegisterAsync(app.Staff());
        await ExecuteAsync("update commitments.mt_events set headers = headers - 'hash' where stream_id = $1 and version = 1", id);

        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await Get($"/api/pledges/{id}/history")).GetArrayLength().ShouldBe(1);
    }

    private async Task<long> ScalarAsync(string sql, params object[] args)
    {
        await using var connection = await DatabaseAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(Ct) ?? 0L);
    }

    [Fact]
    public async Task Tombstones_that_lost_append_races_leave_are_not_logged()
    {
        var before = await ScalarAsync("select coalesce(max(seq_id), 0) from commitments.mt_events");
        // Lost races leave Marten tombstones when the loser had its sequence numbers already: race until some do.
        string? id = null;
        for (var round = 0; round < 20 && await ScalarAsync("select count(*) from commitments.mt_events where stream_id = 'mt_tombstone' and seq_id > $1", before) == 0; round++)
        {
            id = await RegisterAsync(app.Staff());
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct)));
        }
        var lastTombstone = await ScalarAsync("select coalesce(max(seq_id), 0) from commitments.mt_events where stream_id = 'mt_tombstone' and seq_id > $1", before);
        lastTombstone.ShouldBeGreaterThan(0, "no append race left a tombstone");
        // Once the log has passed them (a pledge event after them is logged)…
        var after = await RegisterAsync(app.Staff());
        await LoggedHistoryAsync(after, 1);
        (await ScalarAsync("select min(seq_id) from commitments.log_entries where stream_id = $1", after)).ShouldBeGreaterThan(lastTombstone);
        // …none of them is an entry.
        (await ScalarAsync("select count(*) from commitments.log_entries l join commitments.mt_events m on m.seq_id = l.seq_id "
            + "where m.stream_id = 'mt_tombstone' or m.type = 'tombstone' or l.stream_id = 'mt_tombstone'")).ShouldBe(0);
    }

    private static string Cosigned(Checkpoint checkpoint, NoteSigner witness) =>
        checkpoint.Format() + "\n" + witness.Cosign(checkpoint, DateTimeOffset.UtcNow);

    private Task<HttpResponseMessage> PostCosignatureAsync(string body) =>
        app.Anonymous().PostAsync("/api/log/cosignatures", new StringContent(body, Encoding.UTF8, "text/plain"), Ct);

    [Fact]
    public async Task A_configured_witness_cosignature_is_kept_and_shown_and_others_are_refused()
    {
        var id = await PledgeWithEventsAsync(0);
        await LoggedHistoryAsync(id, 1);
        var (_, checkpoint) = await CheckpointAsync();

        var accepted = await PostCosignatureAsync(Cosigned(checkpoint, TestEnvironment.WitnessSigner));
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync(Ct));
        var witness = (await Get("/api/log/witnesses")).EnumerateArray().Single();
        witness.GetProperty("name").GetString().ShouldBe(TestEnvironment.WitnessSigner.Name);
        witness.GetProperty("treeSize").GetInt64().ShouldBeGreaterThanOrEqualTo(checkpoint.TreeSize);

        // An unknown witness, even one using the configured witness's name.
        (await PostCosignatureAsync(Cosigned(checkpoint, NoteSigner.Generate("stranger.example")))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await PostCosignatureAsync(Cosigned(checkpoint, NoteSigner.Generate(TestEnvironment.WitnessSigner.Name)))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        // A tree this log never signed.
        var forged = checkpoint with { RootHash = new byte[32] };
        (await PostCosignatureAsync(Cosigned(forged, TestEnvironment.WitnessSigner))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        // Another log's checkpoint, and no note at all.
        (await PostCosignatureAsync(Cosigned(checkpoint with { Origin = "elsewhere.example/log" }, TestEnvironment.WitnessSigner))).StatusCode
            .ShouldBe(HttpStatusCode.BadRequest);
        var garbage = await PostCosignatureAsync("not a note");
        garbage.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await garbage.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("body", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Exports_and_feeds_carry_the_signed_checkpoint_and_the_events_export_holds_pledge_events_only_with_their_index()
    {
        var id = await RegisterAsync(app.Staff());
        // A write race: all but one of these fail, and Marten records the lost appends as tombstones.
        var race = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct)));
        race.Count(r => r.IsSuccessStatusCode).ShouldBe(1);
        await LoggedHistoryAsync(id, 2);
        var signer = NoteVerifier.Parse(TestEnvironment.LogSigner.VerifierKey);

        var export = await app.Anonymous().GetAsync("/api/export/events.ndjson", Ct);
        export.EnsureSuccessStatusCode();
        var lines = (await export.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var last = JsonDocument.Parse(lines[^1]).RootElement;
        var note = SignedNote.Parse(last.GetProperty("checkpoint").GetString()!);
        note.IsSignedBy(signer).ShouldBeTrue();
        var events = lines[..^1].Select(l => JsonDocument.Parse(l).RootElement).ToList();
        events.ShouldAllBe(e => e.GetProperty("streamId").GetString() != "mt_tombstone");
        events.Where(e => e.GetProperty("streamId").GetString() == id).Select(e => e.GetProperty("logIndex").ValueKind)
            .ShouldBe([JsonValueKind.Number, JsonValueKind.Number]);
        // The checkpoint it ends with covers every logged event of the export (other tests here delete some:
        // the whole tree is checked against an export in the end-to-end tests).
        var logged = events.Where(e => e.GetProperty("logIndex").ValueKind == JsonValueKind.Number).Select(e => e.GetProperty("logIndex").GetInt64()).ToList();
        logged.Distinct().Count().ShouldBe(logged.Count);
        Checkpoint.Parse(note.Text).TreeSize.ShouldBeGreaterThan(logged.Max());

        var csv = await app.Anonymous().GetAsync("/api/export/pledges.csv", Ct);
        var header = Encoding.UTF8.GetString(Convert.FromBase64String(csv.Headers.GetValues("Log-Checkpoint").Single()));
        SignedNote.Parse(header).IsSignedBy(signer).ShouldBeTrue();

        var feed = System.Xml.Linq.XDocument.Parse(await app.Anonymous().GetStringAsync($"/feeds/pledges/{id}.atom", Ct));
        var inFeed = feed.Root!.Element(System.Xml.Linq.XName.Get("checkpoint", "urn:r2p-tracker:log"))!.Value;
        SignedNote.Parse(inFeed).IsSignedBy(signer).ShouldBeTrue();
    }
}
