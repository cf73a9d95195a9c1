using System.Text;
using Npgsql;
using R2PTracker.Commitments.Recording;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Commitments.Log;

public sealed record LogDiscrepancy(long Version, long? Index, string Problem);

public sealed record StreamVerification(
    bool Valid, string HeadHash, long? BrokenAtVersion, int Events, int LoggedEvents, int PendingEvents,
    IReadOnlyList<LogDiscrepancy> LogDiscrepancies);

/// <summary>
/// /verify: the stream's hash chain, and the stream against the log, which holds each event's leaf hash
/// as it was when logged. A changed event no longer matches its leaf; a deleted one leaves its entry
/// without an event; an event slipped in behind the log's back has no entry although later ones do.
/// Read a row at a time, so a long stream is never held whole.
/// </summary>
public static class StreamAgainstLog
{
    public const int MaxListed = 20;

    public static async Task<StreamVerification?> VerifyAsync(NpgsqlDataSource db, string streamId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var discrepancies = new List<LogDiscrepancy>();
        var events = 0;
        var logged = 0;
        var previous = EventHashing.Genesis;
        long expectedVersion = 1;
        long? broken = null;
        long? firstUnlogged = null;
        await using (var cmd = new NpgsqlCommand(
                         $"select m.version, m.id, m.type, m.timestamp, m.data::text, m.headers->>'{EventChain.HashHeader}', l.idx, l.leaf_hash "
                         + $"from {Configuration.Schema}.mt_events m left join {LogSchema.Entries} l on l.seq_id = m.seq_id and l.event_id = m.id "
                         + $"where m.stream_id = $1 and {EventChain.PledgeEventsOnly("m.")} order by m.version", connection, snapshot))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = streamId });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                events++;
                var version = reader.GetInt64(0);
                var canonical = EventHashing.Canonical(streamId, version, reader.GetGuid(1), reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4));
                if (broken is null)
                {
                    if (EventHashing.Next(previous, expectedVersion, version, canonical, reader.IsDBNull(5) ? null : reader.GetString(5)) is { } computed)
                    {
                        previous = computed;
                        expectedVersion++;
                    }
                    else broken = version;
                }
                if (reader.IsDBNull(6))
                {
                    firstUnlogged ??= version;
                    continue;
                }
                logged++;
                var index = reader.GetInt64(6);
                if (firstUnlogged is { } gap)
                {
                    Add(discrepancies, new LogDiscrepancy(gap, null, "not in the log, although later events of the pledge are"));
                    firstUnlogged = null;
                }
                if (!Merkle.LeafHash(Encoding.UTF8.GetBytes(canonical)).AsSpan().SequenceEqual(reader.GetFieldValue<byte[]>(7)))
                    Add(discrepancies, new LogDiscrepancy(version, index, "differs from what the log recorded"));
            }
        }
        await using (var missing = new NpgsqlCommand(
                         $"select l.version, l.idx from {LogSchema.Entries} l where l.stream_id = $1 "
                         + $"and not exists (select 1 from {Configuration.Schema}.mt_events m where m.seq_id = l.seq_id and m.id = l.event_id) order by l.idx limit {MaxListed + 1}",
                         connection, snapshot))
        {
            missing.Parameters.Add(new NpgsqlParameter { Value = streamId });
            await using var reader = await missing.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                Add(discrepancies, new LogDiscrepancy(reader.GetInt64(0), reader.GetInt64(1), "is in the log but no longer in the store"));
        }
        if (events == 0 && discrepancies.Count == 0) return null;
        return new StreamVerification(broken is null && discrepancies.Count == 0, previous, broken, events, logged, events - logged, discrepancies);
    }

    private static void Add(List<LogDiscrepancy> list, LogDiscrepancy d)
    {
        if (list.Count < MaxListed) list.Add(d);
    }
}
