using JasperFx.Events;
using Marten;
using Npgsql;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Recording;

/// <summary>
/// Every append goes through here: each event gets its id, recorded-at and version fixed before
/// saving, and its chain hash in the event's "hash" header, so event and hash are written in
/// one statement of one transaction. The previous hash is read from the stream head; the
/// expected version makes a concurrent append fail instead of forking the chain.
/// </summary>
public static class EventChain
{
    public const string HashHeader = "hash";

    public static async Task<IReadOnlyList<IEvent>> StampAsync(
        IDocumentSession session, string streamId, long currentVersion, IReadOnlyList<object> events,
        TimeProvider clock, CancellationToken ct)
    {
        // A stream whose head has no hash (a damaged or tampered store) is not written to: restarting the
        // chain from zero would hide the damage behind a valid-looking new chain.
        var previous = currentVersion == 0
            ? EventHashing.Genesis
            : await HashAtAsync(session, streamId, currentVersion, ct) ?? throw new ChainHeadMissing(streamId, currentVersion);
        var recordedAt = EventHashing.ToMicroseconds(clock.GetUtcNow());
        var stamped = new List<IEvent>(events.Count);
        var traceParent = Telemetry.CommitmentsTelemetry.Source.CurrentTraceParent();
        var version = currentVersion;
        foreach (var data in events)
        {
            version++;
            var e = session.Events.BuildEvent(data);
            e.Id = Guid.CreateVersion7(recordedAt);
            e.Timestamp = recordedAt;
            var json = session.DocumentStore.Options.Serializer().ToJson(data);
            var hash = EventHashing.Hash(previous,
                EventHashing.Canonical(streamId, version, e.Id, e.EventTypeName, recordedAt, json));
            e.SetHeader(HashHeader, hash);
            // The write's trace, for the forwarder to continue (only while tracing is on).
            if (traceParent is not null) e.SetHeader(ServiceDefaults.Telemetry.TraceParentHeader, traceParent);
            stamped.Add(e);
            previous = hash;
        }
        return stamped;
    }

    public static async Task<string?> HashAtAsync(IQuerySession session, string streamId, long version, CancellationToken ct)
    {
        var rows = await session.AdvancedSql.QueryAsync<string>(
            $"select coalesce(headers->>'{HashHeader}', '') from {Configuration.Schema}.mt_events where stream_id = ? and version = ?",
            ct, streamId, version);
        return rows.FirstOrDefault() is { Length: > 0 } hash ? hash : null;
    }

    /// <summary>Names the pledge event types (Marten's own, such as a failed append's tombstones, are not pledge events).</summary>
    public static string PledgeEventsOnly(string alias) =>
        $"{alias}stream_id <> 'mt_tombstone' and {alias}type <> 'tombstone'";

    /// <summary>Reads a stream's events as stored (data as JSON text), for history, verification and export.</summary>
    public static async IAsyncEnumerable<EventHashing.ChainLink> ReadRawAsync(
        NpgsqlDataSource db, string? streamId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await foreach (var link in ReadRawAsync(connection, streamId, ct)) yield return link;
    }

    /// <summary>The same on an open connection, inside whatever transaction (snapshot) it has.</summary>
    public static async IAsyncEnumerable<EventHashing.ChainLink> ReadRawAsync(
        NpgsqlConnection connection, string? streamId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        // With each event its index in the transparency log, once it has one.
        await using var cmd = new NpgsqlCommand(
            $"select m.stream_id, m.version, m.id, m.type, m.timestamp, m.data::text, m.headers->>'{HashHeader}', l.idx "
            + $"from {Configuration.Schema}.mt_events m left join {Log.LogSchema.Entries} l on l.seq_id = m.seq_id and l.event_id = m.id "
            + $"where {PledgeEventsOnly("m.")} " + (streamId is null ? "order by m.stream_id, m.version" : "and m.stream_id = $1 order by m.version"), connection);
        if (streamId is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = streamId });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new EventHashing.ChainLink(
                reader.GetString(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7));
        }
    }
}

/// <summary>The stored head of a stream has no chain hash: the append is refused (503) rather than chained from zero.</summary>
public sealed class ChainHeadMissing(string streamId, long version)
    : Exception($"The event at version {version} of stream '{streamId}' has no chain hash; nothing is appended until the record is repaired.");
