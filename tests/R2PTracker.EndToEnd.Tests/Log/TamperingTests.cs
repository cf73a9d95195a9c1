using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests.Log;

/// <summary>
/// The five ways to rewrite the record behind the tracker's back, each on a tracker of its own (its own
/// commitments process and database), each caught by a witness that holds an earlier checkpoint — the
/// command-line witness, run as a monitor would run it — and, where it can be, by /verify.
/// </summary>
public class TamperingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Three pledges of three events; the witness has seen (and co-signed) the nine.</summary>
    private static async Task<(LoggedTracker Tracker, Witness Witness, string[] Pledges)> WitnessedAsync(int pledges = 3)
    {
        var tracker = await LoggedTracker.StartAsync();
        var witness = new Witness();
        try
        {
            var ids = new string[pledges];
            for (var i = 0; i < pledges; i++) ids[i] = await tracker.PledgeAsync(2, Ct);
            await tracker.CheckpointOfSizeAsync(pledges * 3, Ct);
            var (exit, output) = await witness.RunAsync(tracker.Url);
            exit.ShouldBe(0, output);
            using var http = tracker.Anonymous();
            var seen = (await http.GetFromJsonAsync<JsonElement>("/api/log/witnesses", Ct)).EnumerateArray().Single();
            seen.GetProperty("treeSize").GetInt64().ShouldBe(pledges * 3);
            seen.GetProperty("seenCurrent").GetBoolean().ShouldBeTrue();
            return (tracker, witness, ids);
        }
        catch
        {
            // The test never gets them to dispose: no commitments process outlives a failed set-up.
            await tracker.DisposeAsync();
            witness.Dispose();
            throw;
        }
    }

    private static async Task<JsonElement> VerifyAsync(LoggedTracker tracker, string id)
    {
        using var http = tracker.Anonymous();
        return await http.GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/verify", Ct);
    }

    private static async Task GrowAsync(LoggedTracker tracker)
    {
        var before = await tracker.PledgeEventsAsync();
        await tracker.PledgeAsync(0, Ct);
        await tracker.CheckpointOfSizeAsync(before + 1, Ct);
    }

    [Fact]
    public async Task An_event_changed_in_PostgreSQL_is_caught_by_the_witness_and_by_verify()
    {
        var (tracker, witness, ids) = await WitnessedAsync();
        await using var _ = tracker;
        using var __ = witness;
        await tracker.ExecuteAsync("update commitments.mt_events set data = jsonb_set(data, '{reason}', '\"Nothing happened\"') where stream_id = $1 and version = 2", ids[0]);
        await GrowAsync(tracker);

        var (exit, output) = await witness.RunAsync(tracker.Url);
        exit.ShouldBe(1, output);
        (await VerifyAsync(tracker, ids[0])).GetProperty("valid").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task An_event_deleted_from_PostgreSQL_is_caught_by_the_witness_and_by_verify()
    {
        var (tracker, witness, ids) = await WitnessedAsync();
        await using var _ = tracker;
        using var __ = witness;
        // The pledge's last event goes, and its stream is made to agree: the chain alone still holds.
        await tracker.ExecuteAsync("delete from commitments.mt_events where stream_id = $1 and version = 3", ids[1]);
        await tracker.ExecuteAsync("update commitments.mt_streams set version = 2 where id = $1", ids[1]);
        await GrowAsync(tracker);

        var (exit, output) = await witness.RunAsync(tracker.Url);
        exit.ShouldBe(1, output);
        var verify = await VerifyAsync(tracker, ids[1]);
        verify.GetProperty("brokenAtVersion").ValueKind.ShouldBe(JsonValueKind.Null);
        verify.GetProperty("valid").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task A_whole_pledge_deleted_from_PostgreSQL_is_caught_by_the_witness_and_by_verify()
    {
        var (tracker, witness, ids) = await WitnessedAsync();
        await using var _ = tracker;
        using var __ = witness;
        await tracker.ExecuteAsync("delete from commitments.mt_events where stream_id = $1", ids[2]);
        await tracker.ExecuteAsync("delete from commitments.mt_streams where id = $1", ids[2]);
        await GrowAsync(tracker);

        var (exit, output) = await witness.RunAsync(tracker.Url);
        exit.ShouldBe(1, output);
        (await VerifyAsync(tracker, ids[2])).GetProperty("valid").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task History_rewritten_with_every_hash_recomputed_and_the_log_rebuilt_and_signed_again_is_a_fork_to_the_witness()
    {
        var (tracker, witness, ids) = await WitnessedAsync();
        await using var _ = tracker;
        using var __ = witness;
        await tracker.StopAsync();
        // Whoever holds the database and the log's key rewrites a verdict, recomputes the pledge's chain,
        // throws the log away and has the tracker build and sign it again from the rewritten events
        // (an empty log is filled again from the first event on).
        await tracker.ExecuteAsync("update commitments.mt_events set data = jsonb_set(data, '{reason}', '\"Nothing happened\"') where stream_id = $1 and version = 2", ids[0]);
        await tracker.RechainAsync(ids[0]);
        await tracker.ExecuteAsync("truncate commitments.log_cosignatures, commitments.log_checkpoints, commitments.log_nodes, commitments.log_entries");
        await tracker.StartAgainAsync();
        await tracker.CheckpointOfSizeAsync(9, Ct);
        // Everything the tracker itself can check now agrees with the rewritten record…
        (await VerifyAsync(tracker, ids[0])).GetProperty("valid").GetBoolean().ShouldBeTrue();

        // …but not with what the witness saw: the same tree size with another root.
        var (exit, output) = await witness.RunAsync(tracker.Url);
        exit.ShouldBe(1, output);
        output.ShouldContain("fork", Case.Insensitive);
    }

    [Fact]
    public async Task A_restore_from_an_earlier_dump_is_a_rollback_and_then_a_fork_to_the_witness()
    {
        var tracker = await LoggedTracker.StartAsync();
        await using var _ = tracker;
        using var witness = new Witness();
        await tracker.PledgeAsync(2, Ct);
        await tracker.PledgeAsync(2, Ct);
        await tracker.CheckpointOfSizeAsync(6, Ct);
        var dump = Path.Combine(witness.State + "-dump");
        await tracker.DumpAsync(dump);
        await tracker.PledgeAsync(2, Ct);
        await tracker.CheckpointOfSizeAsync(9, Ct);
        (await witness.RunAsync(tracker.Url)).ExitCode.ShouldBe(0);

        await tracker.RestoreAsync(dump);
        await tracker.PledgeAsync(0, Ct);
        await tracker.CheckpointOfSizeAsync(7, Ct);
        var (exit, output) = await witness.RunAsync(tracker.Url);
        exit.ShouldBe(1, output);
        output.ShouldContain("rollback", Case.Insensitive);

        await tracker.PledgeAsync(2, Ct);
        await tracker.PledgeAsync(2, Ct);
        await tracker.CheckpointOfSizeAsync(13, Ct);
        (exit, output) = await witness.RunAsync(tracker.Url);
        exit.ShouldBe(1, output);
        output.ShouldContain("fork", Case.Insensitive);
    }
}
