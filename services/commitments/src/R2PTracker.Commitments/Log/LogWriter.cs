using System.Text;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;
using Npgsql;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Recording;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Commitments.Log;

/// <summary>
/// Gives every pledge event its index in the log, in the order the async daemon hands them over (sequence
/// order up to the high-water mark, which is commit order), and signs a checkpoint of the new tree. It is a
/// Marten subscription: under HotCold one instance at a time runs it, and what it queues is written in one
/// transaction with the subscription's progress, so an event gets exactly one index even across failovers.
/// Each page starts from the stored right edge, never from memory, so a page that failed leaves no trace.
/// </summary>
public sealed class LogWriter : SubscriptionBase
{
    private readonly NpgsqlDataSource _db;
    private readonly LogKeys _keys;
    private readonly TimeProvider _clock;
    private int _schemaReady;
    private Edge? _committed;

    /// <summary>The tree's right edge and the last sequence number in it, once committed.</summary>
    private sealed record Edge(CompactRange Tree, long LastSequence);

    private readonly MassTransit.IBus _bus;
    private readonly ILogger<LogWriter> _logger;

    public LogWriter(NpgsqlDataSource db, LogKeys keys, TimeProvider clock, MassTransit.IBus bus, ILogger<LogWriter> logger)
    {
        _db = db;
        _bus = bus;
        _logger = logger;
        _keys = keys;
        _clock = clock;
        Name = "transparency-log";
        // Pledge events only: not Marten's own (a failed append's tombstones), which carry no chain hash.
        foreach (var type in PledgeEventTypes.All) IncludeType(type);
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _schemaReady, 1) == 0) await LogSchema.EnsureAsync(_db, ct);
        await using var connection = await _db.OpenConnectionAsync(ct);
        // The right edge as this instance last committed it, if the store still ends there (another
        // instance may have logged meanwhile, after a failover): else read again from the store.
        var cached = Interlocked.Exchange(ref _committed, null);
        var (tree, lastSequence) = cached is not null && await LogStore.SizeAsync(connection, ct) == cached.Tree.Size
            ? (cached.Tree, cached.LastSequence)
            : await LogStore.RightEdgeAsync(connection, ct);
        // A page handed over again (a rewound subscription) adds nothing twice.
        var sequences = page.Events.Select(e => e.Sequence).Where(s => s > lastSequence).Order().ToArray();
        if (sequences.Length == 0)
        {
            _committed = new Edge(tree, lastSequence);
            return NullChangeListener.Instance;
        }

        var indices = new List<long>(sequences.Length);
        var seqs = new List<long>(sequences.Length);
        var ids = new List<Guid>(sequences.Length);
        var streams = new List<string>(sequences.Length);
        var versions = new List<long>(sequences.Length);
        var leafHashes = new List<byte[]>(sequences.Length);
        var nodeLevels = new List<short>();
        var nodeIndices = new List<long>();
        var nodeHashes = new List<byte[]>();

        await using (var cmd = new NpgsqlCommand(
                         $"select seq_id, stream_id, version, id, type, timestamp, data::text from {Configuration.Schema}.mt_events "
                         + "where seq_id = any($1) order by seq_id", connection))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = sequences });
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
        if (seqs.Count != sequences.Length)
            throw new InvalidOperationException($"The log expected {sequences.Length} events of the page and read {seqs.Count}.");

        operations.QueueSqlCommand(
            $"insert into {LogSchema.Entries} (idx, seq_id, event_id, stream_id, version, leaf_hash) "
            + "select * from unnest(?::bigint[], ?::bigint[], ?::uuid[], ?::text[], ?::bigint[], ?::bytea[])",
            indices.ToArray(), seqs.ToArray(), ids.ToArray(), streams.ToArray(), versions.ToArray(), leafHashes.ToArray());
        if (nodeLevels.Count > 0)
            operations.QueueSqlCommand(
                $"insert into {LogSchema.Nodes} (level, idx, hash) select * from unnest(?::smallint[], ?::bigint[], ?::bytea[])",
                nodeLevels.ToArray(), nodeIndices.ToArray(), nodeHashes.ToArray());
        var root = tree.Root();
        var note = _keys.Signer.Sign(new Checkpoint(_keys.Options.Origin, tree.Size, root, []).Format());
        operations.QueueSqlCommand(
            $"insert into {LogSchema.Checkpoints} (tree_size, root, note, signed_at) values (?, ?, ?, ?)",
            tree.Size, root, note, _clock.GetUtcNow());
        return new AnnounceAfterCommit(this, new Contracts.LogCheckpointed(tree.Size, streams.Distinct().ToList()), new Edge(tree, seqs[^1]));
    }

    /// <summary>
    /// Tells the gateways once the new entries are committed (not before: a cache refilled in between would
    /// keep the old page). Best effort: the log stays right if the broker is down; a cached page then shows
    /// "not yet logged" until it expires or the pledge changes again.
    /// </summary>
    private sealed class AnnounceAfterCommit(LogWriter writer, Contracts.LogCheckpointed message, Edge edge) : IChangeListener
    {
        public async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken ct)
        {
            writer._committed = edge;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await writer._bus.Publish(message, timeout.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                writer._logger.LogWarning(e, "The log's checkpoint of {TreeSize} entries was not announced", message.TreeSize);
            }
        }

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>A leaf is the event's canonical form (the one its chain hash covers), as UTF-8.</summary>
    public static byte[] Leaf(string streamId, long version, Guid eventId, string type, DateTimeOffset recordedAt, string dataJson) =>
        Encoding.UTF8.GetBytes(EventHashing.Canonical(streamId, version, eventId, type, recordedAt, dataJson));
}
