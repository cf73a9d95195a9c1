using Marten;
using Npgsql;

namespace R2PTracker.Notifications.Subscriptions;

/// <summary>
/// The active subscriptions, kept in memory for the fan-out. Before each use one cheap query asks
/// whether the subscription table changed (latest modification and row count), so a subscription
/// created, changed or deleted on any instance is seen by the next event, without loading
/// thousands of documents per event.
/// </summary>
public sealed class ActiveSubscriptions(IDocumentStore store, NpgsqlDataSource dataSource)
{
    private readonly SemaphoreSlim _reload = new(1, 1);
    private string? _version;
    private IReadOnlyList<Subscription> _active = [];

    public async Task<IReadOnlyList<Subscription>> GetAsync(CancellationToken ct)
    {
        var version = await VersionAsync(ct);
        if (version == Volatile.Read(ref _version)) return _active;
        await _reload.WaitAsync(ct);
        try
        {
            version = await VersionAsync(ct);
            if (version == _version) return _active;
            await using var query = store.QuerySession();
            _active = await query.Query<Subscription>().Where(s => s.Status == SubscriptionStatuses.Active).ToListAsync(ct);
            Volatile.Write(ref _version, version);
            return _active;
        }
        finally
        {
            _reload.Release();
        }
    }

    private async Task<string> VersionAsync(CancellationToken ct)
    {
        var table = store.Options.Schema.For<Subscription>(); // the qualified table name
        await using var cmd = dataSource.CreateCommand($"SELECT coalesce(max(mt_last_modified)::text, '') || '/' || count(*) FROM {table}");
        try
        {
            return (string)(await cmd.ExecuteScalarAsync(ct))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return "";
        }
    }
}
