using Npgsql;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Log;

/// <summary>
/// The transparency log's tables. An entry is one pledge event at its index (its leaf hash is the tree's
/// level 0); the nodes are every completed perfect subtree above it, so any proof is a few index lookups;
/// a checkpoint is each signed tree head, written in the same transaction as the entries it covers.
/// </summary>
public static class LogSchema
{
    public const string Entries = Configuration.Schema + ".log_entries";
    public const string Nodes = Configuration.Schema + ".log_nodes";
    public const string Checkpoints = Configuration.Schema + ".log_checkpoints";
    public const string Cosignatures = Configuration.Schema + ".log_cosignatures";

    private static readonly string[] Statements =
    [
        PostgresSchemas.CreateIfMissing(Configuration.Schema),
        $"""
         create table if not exists {Entries} (
           idx bigint primary key, seq_id bigint not null unique, event_id uuid not null,
           stream_id text not null, version bigint not null, leaf_hash bytea not null)
         """,
        // An event is its sequence number (unique above, and what every read joins by); an index on its
        // id as well would be one more to maintain on every append for nothing.
        $"alter table {Entries} drop constraint if exists log_entries_event_id_key",
        $"create index if not exists log_entries_stream on {Entries} (stream_id, version)",
        $"create table if not exists {Nodes} (level smallint not null, idx bigint not null, hash bytea not null, primary key (level, idx))",
        $"create table if not exists {Checkpoints} (tree_size bigint primary key, root bytea not null, note text not null, signed_at timestamptz not null)",
        $"""
         create table if not exists {Cosignatures} (
           tree_size bigint not null references {Checkpoints} (tree_size), witness_key text not null, witness_name text not null,
           cosigned_at timestamptz not null, line text not null, received_at timestamptz not null,
           primary key (tree_size, witness_key))
         """,
        $"create index if not exists log_cosignatures_latest on {Cosignatures} (witness_key, tree_size desc)",
    ];

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('r2p.commitments.log'))", connection, tx))
            await lockCmd.ExecuteNonQueryAsync(ct);
        foreach (var sql in Statements)
        {
            await using var cmd = new NpgsqlCommand(sql, connection, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>Creates the log's tables before the service takes requests.</summary>
public sealed class LogStartup(NpgsqlDataSource db) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => LogSchema.EnsureAsync(db, ct);

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
