using Npgsql;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Commitments.Log;

public sealed record StoredCheckpoint(long TreeSize, byte[] Root, string Note, DateTimeOffset SignedAt);

/// <summary>
/// Reads the stored tree. Every hash a proof needs is the hash of a leaf range, and every such range is a
/// handful of stored perfect subtrees (<see cref="Merkle.Decompose"/>): a proof at any size is one query
/// for at most a few hundred rows by primary key, however long the log.
/// </summary>
public static class LogStore
{
    public static async Task<StoredCheckpoint?> LatestAsync(NpgsqlConnection connection, CancellationToken ct) =>
        await CheckpointAsync(connection, null, ct);

    public static async Task<StoredCheckpoint?> CheckpointAsync(NpgsqlConnection connection, long? treeSize, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"select tree_size, root, note, signed_at from {LogSchema.Checkpoints} "
            + (treeSize is null ? "order by tree_size desc limit 1" : "where tree_size = $1"), connection);
        if (treeSize is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = treeSize.Value });
        return await ReadCheckpointAsync(cmd, ct);
    }

    /// <summary>The one checkpoint a query (tree_size, root, note, signed_at) finds, or null.</summary>
    private static async Task<StoredCheckpoint?> ReadCheckpointAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredCheckpoint(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
    }

    /// <summary>The tree size of the latest signed checkpoint, 0 while the log is empty: what proofs and entries may be asked of.</summary>
    public static async Task<long> SignedSizeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select coalesce(max(tree_size), 0) from {LogSchema.Checkpoints}", connection);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The latest signed checkpoint with the witnesses' cosignatures of it, or null while the log is empty.</summary>
    public static async Task<string?> LatestNoteAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await LatestNoteAsync(connection, ct);
    }

    public static async Task<string?> LatestNoteAsync(NpgsqlConnection connection, CancellationToken ct) =>
        await LatestAsync(connection, ct) is { } latest ? await LogEndpoints.WithCosignaturesAsync(connection, latest, ct) : null;

    /// <summary>
    /// The first signed checkpoint that holds every logged event of a pledge (with its cosignatures), or null
    /// before any is logged: what the pledge's own feed carries, so that it changes when the pledge does and
    /// not whenever another pledge's event is logged.
    /// </summary>
    public static async Task<string?> NoteCoveringAsync(NpgsqlDataSource db, string streamId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"select tree_size, root, note, signed_at from {LogSchema.Checkpoints} "
            + $"where tree_size > (select max(idx) from {LogSchema.Entries} where stream_id = $1) order by tree_size limit 1", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = streamId });
        return await ReadCheckpointAsync(cmd, ct) is { } found ? await LogEndpoints.WithCosignaturesAsync(connection, found, ct) : null;
    }

    /// <summary>A pledge's log indices by version.</summary>
    public static async Task<Dictionary<long, long>> IndicesOfAsync(NpgsqlDataSource db, string streamId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"select version, idx from {LogSchema.Entries} where stream_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = streamId });
        var indices = new Dictionary<long, long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) indices[reader.GetInt64(0)] = reader.GetInt64(1);
        return indices;
    }

    /// <summary>The hashes of the given perfect subtrees (level 0 from the entries, above from the nodes).</summary>
    public static async Task<Dictionary<Subtree, byte[]>> SubtreesAsync(NpgsqlConnection connection, IReadOnlyCollection<Subtree> wanted, CancellationToken ct)
    {
        var found = new Dictionary<Subtree, byte[]>(wanted.Count);
        if (wanted.Count == 0) return found;
        var leaves = wanted.Where(s => s.Level == 0).Select(s => s.Index).Distinct().ToArray();
        var nodes = wanted.Where(s => s.Level > 0).Distinct().ToArray();
        await using var cmd = new NpgsqlCommand(
            $"select 0::smallint, idx, leaf_hash from {LogSchema.Entries} where idx = any($1) "
            + $"union all select n.level, n.idx, n.hash from {LogSchema.Nodes} n "
            + "join unnest($2::smallint[], $3::bigint[]) as k(level, idx) on n.level = k.level and n.idx = k.idx", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = leaves });
        cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(n => (short)n.Level).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(n => n.Index).ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            found[new Subtree(reader.GetInt16(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
        return found;
    }

    /// <summary>The hash of each range, from the stored subtrees; throws if the store lacks one (a damaged log).</summary>
    public static async Task<List<byte[]>> RangeHashesAsync(NpgsqlConnection connection, IReadOnlyList<LeafRange> ranges, CancellationToken ct)
    {
        var parts = ranges.Select(r => Merkle.Decompose(r.Start, r.End)).ToList();
        var hashes = await SubtreesAsync(connection, parts.SelectMany(p => p).ToHashSet(), ct);
        return parts.Select(p => Merkle.FoldRight(p.Select(s => hashes.TryGetValue(s, out var h)
            ? h
            : throw new InvalidOperationException($"The log's store lacks the subtree at level {s.Level}, index {s.Index}.")).ToList())).ToList();
    }

    /// <summary>How many entries the log holds.</summary>
    public static async Task<long> SizeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select coalesce(max(idx) + 1, 0) from {LogSchema.Entries}", connection);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The tree's right edge at its latest checkpoint, to append to, and the last sequence number logged.</summary>
    public static async Task<(CompactRange Range, long LastSequence)> RightEdgeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        long size = 0, lastSequence = 0;
        await using (var cmd = new NpgsqlCommand(
                         $"select e.idx + 1, e.seq_id from {LogSchema.Entries} e order by e.idx desc limit 1", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct)) (size, lastSequence) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        if (size == 0) return (new CompactRange(), 0);
        var edge = Merkle.Decompose(0, size);
        var hashes = await SubtreesAsync(connection, edge, ct);
        return (new CompactRange(size, edge.Select(s => hashes[s]).ToList()), lastSequence);
    }
}
