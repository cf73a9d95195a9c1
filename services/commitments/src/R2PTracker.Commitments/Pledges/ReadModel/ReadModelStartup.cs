using System.Text;
using Marten;
using Npgsql;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.ReadModel;

/// <summary>
/// On start: creates the read model's tables, then writes the read model of every stream it does not
/// hold at the stream's version (a store from before the read model existed, or a restored one). It
/// runs before the service takes requests; one instance at a time does the work.
/// </summary>
public sealed class ReadModelStartup(NpgsqlDataSource db, IDocumentStore store, ILogger<ReadModelStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await ReadModelSchema.EnsureAsync(db, ct);
        var rebuilt = await CatchUpAsync(db, store, ct);
        if (rebuilt > 0) logger.LogInformation("Read model written for {Count} pledge stream(s)", rebuilt);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public static async Task<int> CatchUpAsync(NpgsqlDataSource db, IDocumentStore store, CancellationToken ct)
    {
        await using var guard = await db.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand("select pg_advisory_lock(hashtext('r2p.commitments.read_model.catch_up'))", guard))
            await take.ExecuteNonQueryAsync(ct);
        try
        {
            var stale = new List<string>();
            await using (var find = db.CreateCommand(
                             $"select s.id from {Configuration.Schema}.mt_streams s left join {ReadModelSchema.Versions} r on r.pledge_id = s.id "
                             + "where r.version is distinct from s.version order by s.id"))
            await using (var reader = await find.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) stale.Add(reader.GetString(0));
            foreach (var id in stale) await RebuildAsync(db, store, id, ct);
            return stale.Count;
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(hashtext('r2p.commitments.read_model.catch_up'))", guard);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Writes one stream's read model from its whole stream. The stream row is locked meanwhile,
    /// so an append waits and then writes its own change on top.</summary>
    public static async Task RebuildAsync(NpgsqlDataSource db, IDocumentStore store, string pledgeId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockStream = new NpgsqlCommand($"select version from {Configuration.Schema}.mt_streams where id = $1 for update", connection, tx))
        {
            lockStream.Parameters.Add(new NpgsqlParameter { Value = pledgeId });
            await lockStream.ExecuteNonQueryAsync(ct);
        }
        var events = new List<StoredEvent>();
        var serializer = store.Options.Serializer();
        await using (var read = new NpgsqlCommand(
                         $"select version, timestamp, mt_dotnet_type, data from {Configuration.Schema}.mt_events where stream_id = $1 order by version",
                         connection, tx))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = pledgeId });
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // Marten's own tombstone events (left by failed appends) are not pledge events.
                if (reader.IsDBNull(2) || PledgeEventTypes.ByStoredName(reader.GetString(2)) is not { } type) continue;
                events.Add(new StoredEvent(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), serializer.FromJson(type, reader, 3)));
            }
        }
        foreach (var step in ReadModelWrites.Forget(pledgeId).Concat(ReadModelWrites.For(pledgeId, [], events)))
        {
            await using var cmd = new NpgsqlCommand(Positional(step.Sql), connection, tx);
            foreach (var arg in step.Args) cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>'?' placeholders as Npgsql's $1, $2, … (the read model's SQL has no other '?').</summary>
    private static string Positional(string sql)
    {
        var text = new StringBuilder(sql.Length + 8);
        var n = 0;
        foreach (var c in sql)
        {
            if (c == '?') text.Append('$').Append(++n);
            else text.Append(c);
        }
        return text.ToString();
    }
}
