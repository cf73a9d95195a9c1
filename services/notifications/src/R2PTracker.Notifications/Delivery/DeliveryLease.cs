using System.Diagnostics;
using Npgsql;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// The right to dispatch: a PostgreSQL session advisory lock held on a connection of its own, so one
/// instance sends at a time. If the process dies, the lock goes with its connection and another
/// instance takes it at its next try.
/// </summary>
public sealed class DeliveryLease(NpgsqlDataSource dataSource, DeliveryOptions options, ILogger<DeliveryLease> logger) : IAsyncDisposable
{
    private const long LockKey = 0x52_32_50_6e_6f_74_69_66; // "R2Pnotif"
    private NpgsqlConnection? _connection;
    private long _checkedAt;

    /// <summary>True if this instance holds the lease (taking it if it is free).</summary>
    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        if (_connection is { State: System.Data.ConnectionState.Open })
        {
            // Still connected means still holding it (a session lock lives as long as its connection);
            // asked at most once per poll interval, not before every query.
            if (Stopwatch.GetElapsedTime(_checkedAt) < options.PollInterval) return true;
            await using var ping = new NpgsqlCommand("SELECT 1", _connection);
            await ping.ExecuteScalarAsync(ct);
            _checkedAt = Stopwatch.GetTimestamp();
            return true;
        }
        await ReleaseAsync();
        var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        cmd.Parameters.AddWithValue("key", LockKey);
        if (await cmd.ExecuteScalarAsync(ct) is true)
        {
            _connection = connection;
            _checkedAt = Stopwatch.GetTimestamp();
            logger.LogInformation("This instance now dispatches deliveries");
            return true;
        }
        await connection.DisposeAsync();
        return false;
    }

    /// <summary>Lets the lease go (closing its connection ends the lock).</summary>
    public async ValueTask ReleaseAsync()
    {
        if (_connection is null) return;
        await _connection.DisposeAsync();
        _connection = null;
    }

    public ValueTask DisposeAsync() => ReleaseAsync();
}
