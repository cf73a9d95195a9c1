using System.Collections.Concurrent;
using Marten;
using Npgsql;

namespace R2PTracker.Commitments.Pledges.AsOf;

/// <summary>
/// The as-of reads fold events, and events never change once stored, so each instance keeps the
/// pledge streams it has read, deserialised, in memory. Every read first asks PostgreSQL for the
/// current version of every stream (one small query) and loads only the events it does not hold
/// yet (one query for all of them), so what it returns is exactly what is stored at that moment.
/// Past <c>AsOf:CachedEventsLimit</c> events the cache is emptied and filled again.
/// </summary>
public sealed class StreamEventCache(NpgsqlDataSource db, IDocumentStore store, IConfiguration configuration)
{
    private readonly ConcurrentDictionary<string, CachedStream> _streams = new(StringComparer.Ordinal);
    private readonly long _limit = configuration.GetValue("AsOf:CachedEventsLimit", 500_000L);
    private long _cachedEvents;

    private sealed record CachedStream(long Version, StoredEvent[] Events);

    /// <summary>One pledge stream's events in version order, or null if there is no such stream.</summary>
    public async Task<IReadOnlyList<StoredEvent>?> StreamAsync(string pledgeId, CancellationToken ct)
    {
        var all = await StreamsAsync(pledgeId, ct);
        return all.Count == 0 ? null : all[0].Events;
    }

    /// <summary>Every stream (or one, given its id) with its events in version order, in stream-id order as PostgreSQL sorts them.</summary>
    public async Task<IReadOnlyList<(string Id, StoredEvent[] Events)>> StreamsAsync(string? onlyId, CancellationToken ct)
    {
        var heads = new List<(string Id, long Version)>();
        await using (var cmd = db.CreateCommand(
            $"select id, version from {Configuration.Schema}.mt_streams " + (onlyId is null ? "order by id" : "where id = $1")))
        {
            if (onlyId is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = onlyId });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) heads.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        if (Interlocked.Read(ref _cachedEvents) > _limit)
        {
            _streams.Clear();
            Interlocked.Exchange(ref _cachedEvents, 0);
        }

        // What the cache holds up to date is taken now; the rest is loaded and used from what the
        // load returns, so another request emptying the cache meanwhile cannot drop a stream.
        var found = new CachedStream?[heads.Count];
        var stale = new List<string>();
        for (var i = 0; i < heads.Count; i++)
        {
            if (_streams.TryGetValue(heads[i].Id, out var cached) && cached.Version >= heads[i].Version) found[i] = cached;
            else stale.Add(heads[i].Id);
        }
        var loaded = stale.Count > 0 ? await LoadAsync(stale.ToArray(), ct) : [];

        var result = new List<(string, StoredEvent[])>(heads.Count);
        for (var i = 0; i < heads.Count; i++)
        {
            if ((found[i] ?? loaded.GetValueOrDefault(heads[i].Id)) is { } stream) result.Add((heads[i].Id, stream.Events));
        }
        return result;
    }

    private async Task<Dictionary<string, CachedStream>> LoadAsync(string[] ids, CancellationToken ct)
    {
        // Each stream is loaded after what the cache held of it at this moment (one look per stream).
        var known = ids.Select(id => _streams.TryGetValue(id, out var cached) ? cached : null).ToArray();
        var after = known.Select(k => k?.Version ?? 0L).ToArray();
        await using var cmd = db.CreateCommand(
            $"select e.stream_id, e.version, e.timestamp, e.mt_dotnet_type, e.data from {Configuration.Schema}.mt_events e "
            + "join unnest($1::text[], $2::bigint[]) as s(id, after) on e.stream_id = s.id and e.version > s.after "
            + "order by e.stream_id, e.version");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids });
        cmd.Parameters.Add(new NpgsqlParameter { Value = after });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var serializer = store.Options.Serializer();
        // A stream with nothing newer than what was known keeps what was known.
        var loaded = new Dictionary<string, CachedStream>(StringComparer.Ordinal);
        var baseOf = new Dictionary<string, CachedStream?>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            baseOf[ids[i]] = known[i];
            if (known[i] is { } k) loaded[ids[i]] = k;
        }
        var added = new List<StoredEvent>();
        string? streamId = null;
        long lastVersion = 0;
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (id != streamId)
            {
                if (streamId is not null) loaded[streamId] = Merge(streamId, baseOf[streamId], lastVersion, added);
                added.Clear();
                streamId = id;
            }
            lastVersion = reader.GetInt64(1);
            // Marten's own tombstone events (left by failed appends) are not pledge events.
            if (PledgeEventTypes.ByStoredName(reader.GetString(3)) is not { } type) continue;
            added.Add(new StoredEvent(lastVersion, reader.GetFieldValue<DateTimeOffset>(2), serializer.FromJson(type, reader, 4)));
        }
        if (streamId is not null) loaded[streamId] = Merge(streamId, baseOf[streamId], lastVersion, added);
        return loaded;
    }

    /// <summary>The stream as loaded (what this load started from plus what it read), also kept for the next read.</summary>
    private CachedStream Merge(string id, CachedStream? from, long version, List<StoredEvent> added)
    {
        var merged = new CachedStream(version, from is null ? [.. added] : [.. from.Events, .. added]);
        _streams.AddOrUpdate(id, merged, (_, cached) => cached.Version >= version ? cached : merged);
        Interlocked.Add(ref _cachedEvents, added.Count);
        return merged;
    }
}
