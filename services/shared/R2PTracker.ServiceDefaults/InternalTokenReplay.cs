using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace R2PTracker.ServiceDefaults;

/// <summary>The ids (jti) of the internal tokens a backend has accepted, kept until the tokens expire.</summary>
public interface IJtiStore
{
    /// <summary>
    /// True the first time <paramref name="jti"/> is presented to any instance that shares the store,
    /// false every time after, until some while after <paramref name="expiresAt"/>.
    /// </summary>
    Task<bool> TryConsumeAsync(string jti, DateTimeOffset expiresAt, CancellationToken ct);
}

/// <summary>
/// The accepted ids in a table of the service's own schema, so that a token one instance accepted
/// is refused by every other instance on the same database. A row outlives its token by
/// <see cref="Retention"/>, so that an instance whose clock runs a little behind the database's
/// still finds it; after that the token is refused as expired anyway, and the row is purged.
/// </summary>
public sealed class PostgresJtiStore(NpgsqlDataSource db, string schema) : IJtiStore
{
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    /// <summary>At most this many rows per delete, so a purge never holds many row locks at once.</summary>
    private const int PurgeBatch = 10_000;

    private string Table => $"{schema}.internal_token_ids";

    public async Task<bool> TryConsumeAsync(string jti, DateTimeOffset expiresAt, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"insert into {Table} (jti, expires_at) values ($1, $2) on conflict (jti) do nothing");
        cmd.Parameters.Add(new NpgsqlParameter { Value = jti });
        cmd.Parameters.Add(new NpgsqlParameter { Value = expiresAt.ToUniversalTime() });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Deletes the rows of tokens expired more than <see cref="Retention"/> ago (by the database's clock); returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct)
    {
        var purged = 0;
        int deleted;
        do
        {
            await using var cmd = db.CreateCommand($"""
                delete from {Table} where jti in (
                  select jti from {Table} where expires_at < now() - $1 order by expires_at limit {PurgeBatch})
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = Retention });
            deleted = await cmd.ExecuteNonQueryAsync(ct);
            purged += deleted;
        } while (deleted == PurgeBatch);
        return purged;
    }

    /// <summary>Creates the schema and the table unless they exist, as the service's other tables are made.</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        string[] statements =
        [
            $"select pg_advisory_xact_lock(hashtext('r2p.{schema}.internal_token_ids'))",
            PostgresSchemas.CreateIfMissing(schema),
            $"create table if not exists {Table} (jti text primary key, expires_at timestamptz not null)",
            // The purge finds the expired rows by this index instead of reading the table.
            $"create index if not exists internal_token_ids_expires_at on {Table} (expires_at)",
        ];
        foreach (var sql in statements)
        {
            await using var cmd = new NpgsqlCommand(sql, connection, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>Creates the table before the service takes requests, then purges it every minute.</summary>
public sealed class JtiStoreMaintenance(PostgresJtiStore store, ILogger<JtiStoreMaintenance> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    public override async Task StartAsync(CancellationToken ct)
    {
        await store.EnsureAsync(ct);
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PurgeInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await store.PurgeExpiredAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The next tick tries again; until then the table only holds a few more rows.
                logger.LogWarning(e, "Could not purge the ids of expired internal tokens");
            }
        }
    }
}
