using Marten;
using Npgsql;

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
                             + $"where r.version is distinct from s.version or not exists (select 1 from {ReadModelSchema.StatusRuns} u where u.pledge_id = s.id) order by s.id"))
            await using (var reader = await find.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) stale.Add(reader.GetString(0));
            foreach (var id in stale) await RebuildAsync(store, id, ct);
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
    public static async Task RebuildAsync(IDocumentStore store, string pledgeId, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(ct);
        await session.AdvancedSql.QueryAsync<long>(
            $"select version from {Configuration.Schema}.mt_streams where id = ? for update", ct, pledgeId);
        var events = (await session.Events.FetchStreamAsync(pledgeId, token: ct)).Select(PledgeReadModelProjection.ToStored).ToList();
        foreach (var step in ReadModelWrites.Forget(pledgeId).Concat(ReadModelWrites.For(pledgeId, [], events)))
            session.QueueSqlCommand(step.Sql, step.Args);
        await session.SaveChangesAsync(ct);
    }
}
