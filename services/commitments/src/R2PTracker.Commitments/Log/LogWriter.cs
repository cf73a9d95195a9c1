using System.Text;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using R2PTracker.Commitments.Recording;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Commitments.Log;

/// <summary>
/// Gives every pledge event its index in the log, in sequence order up to the async daemon's high-water
/// mark (below it every event is committed or for ever skipped: commit order as the daemon has it), and
/// signs a checkpoint of the new tree — one batch every <see cref="LogOptions.CheckpointInterval"/>, so a
/// busy store is logged in a few transactions a second rather than one per daemon page. A transaction-scoped
/// advisory lock lets one instance write at a time; the state is read under it (the entries' size, checked
/// against what this instance last committed), and entries, nodes and checkpoint are written in that one
/// transaction, so each event gets exactly one index whichever instance logs it, across failovers.
/// </summary>
public sealed class LogWriter(
    NpgsqlDataSource db, LogKeys keys, TimeProvider clock, IBus bus, IOptions<LogOptions> options, ILogger<LogWriter> logger)
    : BackgroundService
{
    /// <summary>At most this many events a batch: a store that is far ahead (an import) is logged in bounded steps.</summary>
    public const int MaxBatch = 5000;

    private Edge? _committed;

    /// <summary>The tree's right edge and the last sequence number looked at, as this instance last committed them.</summary>
    private sealed record Edge(CompactRange Tree, long LastSequence);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var interval = options.Value.CheckpointInterval;
        while (!stop.IsCancellationRequested)
        {
            var logged = 0;
            try
            {
                logged = await LogOnceAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Nothing of a failed batch was written; the next one starts from the store.
                _committed = null;
                logger.LogWarning(e, "The transparency log could not take the latest events; trying again");
            }
            if (logged >= MaxBatch) continue;
            try
            {
                await Task.Delay(interval, clock, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Logs the events up to the high-water mark (at most <see cref="MaxBatch"/>); how many it logged.</summary>
    public async Task<int> LogOnceAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var take = new NpgsqlCommand("select pg_try_advisory_xact_lock(hashtext('r2p.commitments.log.writer'))", connection, tx))
            if (await take.ExecuteScalarAsync(ct) is not true) return 0;
        long highWater;
        await using (var mark = new NpgsqlCommand(
                         $"select coalesce(max(last_seq_id), 0) from {Configuration.Schema}.mt_event_progression where name = 'HighWaterMark'", connection, tx))
            highWater = (long)(await mark.ExecuteScalarAsync(ct))!;

        // The right edge as this instance last committed it, if the store still ends there (another instance
        // may have logged meanwhile): else read again from the store.
        var cached = Interlocked.Exchange(ref _committed, null);
        var (tree, lastSequence) = cached is not null && await LogStore.SizeAsync(connection, ct) == cached.Tree.Size
            ? (cached.Tree, cached.LastSequence)
            : await LogStore.RightEdgeAsync(connection, ct);
        if (highWater <= lastSequence)
        {
            _committed = new Edge(tree, lastSequence);
            return 0;
        }

        var indices = new List<long>();
        var seqs = new List<long>();
        var ids = new List<Guid>();
        var streams = new List<string>();
        var versions = new List<long>();
        var leafHashes = new List<byte[]>();
        var nodeLevels = new List<short>();
        var nodeIndices = new List<long>();
        var nodeHashes = new List<byte[]>();
        await using (var cmd = new NpgsqlCommand(
                         // Pledge events only: not Marten's own (a lost append race's tombstones), which carry no chain hash.
                         $"select seq_id, stream_id, version, id, type, timestamp, data::text from {Configuration.Schema}.mt_events "
                         + $"where seq_id > $1 and seq_id <= $2 and {EventChain.PledgeEventsOnly("")} order by seq_id limit {MaxBatch}", connection, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = lastSequence });
            cmd.Parameters.Add(new NpgsqlParameter { Value = highWater });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var streamId = reader.GetString(1);
                var version = reader.GetInt64(2);
                var eventId = reader.GetGuid(3);
                var leaf = Leaf(streamId, version, eventId, reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6));
                indices.Add(tree.Size);
                seqs.Add(reader.GetInt64(0));
                ids.Add(eventId);
                streams.Add(streamId);
                versions.Add(version);
                foreach (var (node, hash) in tree.Append(Merkle.LeafHash(leaf)))
                {
                    if (node.Level == 0) { leafHashes.Add(hash); continue; }
                    nodeLevels.Add((short)node.Level);
                    nodeIndices.Add(node.Index);
                    nodeHashes.Add(hash);
                }
            }
        }

        // A full batch ends at its last event; a shorter one has seen everything up to the high-water mark.
        var scannedTo = seqs.Count == MaxBatch ? seqs[^1] : highWater;
        if (seqs.Count > 0)
        {
            await ExecuteAsync(connection, tx, ct,
                $"insert into {LogSchema.Entries} (idx, seq_id, event_id, stream_id, version, leaf_hash) "
                + "select * from unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::text[], $5::bigint[], $6::bytea[])",
                indices.ToArray(), seqs.ToArray(), ids.ToArray(), streams.ToArray(), versions.ToArray(), leafHashes.ToArray());
            if (nodeLevels.Count > 0)
                await ExecuteAsync(connection, tx, ct,
                    $"insert into {LogSchema.Nodes} (level, idx, hash) select * from unnest($1::smallint[], $2::bigint[], $3::bytea[])",
                    nodeLevels.ToArray(), nodeIndices.ToArray(), nodeHashes.ToArray());
            var root = tree.Root();
            var note = keys.Signer.Sign(new Checkpoint(keys.Options.Origin, tree.Size, root, []).Format());
            await ExecuteAsync(connection, tx, ct,
                $"insert into {LogSchema.Checkpoints} (tree_size, root, note, signed_at) values ($1, $2, $3, $4)",
                tree.Size, root, note, clock.GetUtcNow());
        }
        await tx.CommitAsync(ct);
        _committed = new Edge(tree, scannedTo);
        if (seqs.Count > 0) await AnnounceAsync(new Contracts.LogCheckpointed(tree.Size, streams.Distinct().ToList()), ct);
        return seqs.Count;
    }

    /// <summary>
    /// Tells the gateways once the entries are committed (not before: a cache refilled in between would keep
    /// the old page). Best effort: the log stays right if the broker is down; a cached page then shows "not
    /// yet in the log" until it expires or the pledge changes again.
    /// </summary>
    private async Task AnnounceAsync(Contracts.LogCheckpointed message, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await bus.Publish(message, timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "The log's checkpoint of {TreeSize} entries was not announced", message.TreeSize);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct, string sql, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A leaf is the event's canonical form (the one its chain hash covers), as UTF-8.</summary>
    public static byte[] Leaf(string streamId, long version, Guid eventId, string type, DateTimeOffset recordedAt, string dataJson) =>
        Encoding.UTF8.GetBytes(EventHashing.Canonical(streamId, version, eventId, type, recordedAt, dataJson));
}
