using System.Globalization;
using System.Text;
using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.GettingPledges;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Commitments.Log;

public sealed record InclusionProof(long Index, long TreeSize, string LeafHash, IReadOnlyList<string> Hashes);

public sealed record ConsistencyProof(long From, long To, IReadOnlyList<string> Hashes);

public sealed record LogEntry(long Index, Guid EventId, string PledgeId, long Version, string? Leaf);

/// <summary>The witnesses whose cosignatures of the tree of <c>TreeSize</c> were accepted.</summary>
public sealed record CosignaturesAccepted(long TreeSize, IReadOnlyList<string> Accepted);

public sealed record WitnessView(string Name, string Key, long? TreeSize, DateTimeOffset? CosignedAt, bool SeenCurrent);

/// <summary>
/// The log's public reads (RFC 9162 proofs, C2SP checkpoints) and the witnesses' cosignatures. A proof or a
/// range of entries below the latest checkpoint never changes, so it is cached as immutable; the checkpoint
/// itself is fresh on every request.
/// </summary>
public static class LogEndpoints
{
    public const int MaxEntries = 1000;
    public const int MaxCosignatureBytes = 16 * 1024;
    private const string Immutable = "public, max-age=31536000, immutable";

    public static void MapTransparencyLog(this IEndpointRouteBuilder app)
    {
        var log = app.MapGroup("/api/log").WithTags("Transparency log");

        log.MapGet("/key", (LogKeys keys, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Text(keys.Signer.VerifierKey + "\n", "text/plain; charset=utf-8");
        })
        .WithSummary("The log's signing key (a C2SP note verifier key).").Produces<string>(StatusCodes.Status200OK, "text/plain");

        log.MapGet("/checkpoint", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (Refused(http.Request.Query, []) is { } refused) return refused;
            if (await LogStore.LatestNoteAsync(db, ct) is not { } note) return Empty();
            http.Response.Headers.CacheControl = "no-cache";
            return Results.Text(note, "text/plain; charset=utf-8");
        })
        .WithSummary("The latest signed checkpoint (a C2SP signed note).").Produces<string>(StatusCodes.Status200OK, "text/plain")
        .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);

        log.MapGet("/proof/inclusion", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var v = new Validation();
            if (Refused(http.Request.Query, ["index", "treeSize"]) is { } refused) return refused;
            var index = Count(http.Request.Query, "index", v);
            var treeSize = Count(http.Request.Query, "treeSize", v);
            if (!v.IsValid) return Problems.Validation(v);
            await using var connection = await db.OpenConnectionAsync(ct);
            var size = await LogStore.SignedSizeAsync(connection, ct);
            if (treeSize!.Value < 1 || treeSize.Value > size) v.Add("treeSize", $"'treeSize' must be from 1 to the latest checkpoint's tree size ({size}).");
            else if (index!.Value >= treeSize.Value) v.Add("index", $"'index' must be below 'treeSize' ({treeSize.Value}).");
            if (!v.IsValid) return Problems.Validation(v);
            var ranges = new List<LeafRange> { new(index!.Value, index.Value + 1) };
            ranges.AddRange(Merkle.InclusionProofRanges(index.Value, treeSize.Value));
            var hashes = await LogStore.RangeHashesAsync(connection, ranges, ct);
            http.Response.Headers.CacheControl = Immutable;
            return Results.Ok(new InclusionProof(index.Value, treeSize.Value, Convert.ToBase64String(hashes[0]),
                hashes.Skip(1).Select(Convert.ToBase64String).ToList()));
        })
        .Reads<InclusionProof>("Transparency log", "A proof that an entry is in a signed tree.", StatusCodes.Status400BadRequest)
        .WithQuery(["index", "treeSize"]);

        log.MapGet("/proof/consistency", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var v = new Validation();
            if (Refused(http.Request.Query, ["from", "to"]) is { } refused) return refused;
            var from = Count(http.Request.Query, "from", v);
            var to = Count(http.Request.Query, "to", v);
            if (!v.IsValid) return Problems.Validation(v);
            await using var connection = await db.OpenConnectionAsync(ct);
            var size = await LogStore.SignedSizeAsync(connection, ct);
            if (to!.Value < 1 || to.Value > size) v.Add("to", $"'to' must be from 1 to the latest checkpoint's tree size ({size}).");
            else if (from!.Value < 1 || from.Value > to.Value) v.Add("from", $"'from' must be from 1 to 'to' ({to.Value}).");
            if (!v.IsValid) return Problems.Validation(v);
            var hashes = await LogStore.RangeHashesAsync(connection, Merkle.ConsistencyProofRanges(from!.Value, to.Value), ct);
            http.Response.Headers.CacheControl = Immutable;
            return Results.Ok(new ConsistencyProof(from.Value, to.Value, hashes.Select(Convert.ToBase64String).ToList()));
        })
        .Reads<ConsistencyProof>("Transparency log", "A proof that a signed tree extends an earlier one.", StatusCodes.Status400BadRequest)
        .WithQuery(["from", "to"]);

        log.MapGet("/entries", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var v = new Validation();
            if (Refused(http.Request.Query, ["start", "end"]) is { } refused) return refused;
            var start = Count(http.Request.Query, "start", v);
            var end = Count(http.Request.Query, "end", v);
            if (!v.IsValid) return Problems.Validation(v);
            await using var connection = await db.OpenConnectionAsync(ct);
            var size = await LogStore.SignedSizeAsync(connection, ct);
            if (end!.Value > size) v.Add("end", $"'end' must be at most the latest checkpoint's tree size ({size}).");
            else if (start!.Value >= end.Value) v.Add("start", $"'start' must be below 'end' ({end.Value}).");
            else if (end.Value - start.Value > MaxEntries) v.Add("end", $"At most {MaxEntries} entries a request: 'end' may be at most {start.Value + MaxEntries}.");
            if (!v.IsValid) return Problems.Validation(v);
            http.Response.Headers.CacheControl = Immutable;
            return Results.Ok(await EntriesAsync(connection, start!.Value, end.Value, ct));
        })
        .Reads<LogEntry[]>("Transparency log", "Entries of the log, each with its leaf as stored now.", StatusCodes.Status400BadRequest)
        .WithQuery(["start", "end"]);

        log.MapGet("/witnesses", async (HttpContext http, NpgsqlDataSource db, LogKeys keys, CancellationToken ct) =>
        {
            if (Refused(http.Request.Query, []) is { } refused) return refused;
            await using var connection = await db.OpenConnectionAsync(ct);
            http.Response.Headers.CacheControl = "no-cache";
            return Results.Ok(await WitnessesAsync(connection, keys, ct));
        })
        .Reads<WitnessView[]>("Transparency log", "The log's witnesses and the latest tree each cosigned.", StatusCodes.Status400BadRequest);

        log.MapPost("/cosignatures", async (HttpContext http, NpgsqlDataSource db, LogKeys keys, TimeProvider clock, CancellationToken ct) =>
        {
            if (http.Request.ContentLength > MaxCosignatureBytes)
                return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
                    detail: $"A cosigned checkpoint may be at most {MaxCosignatureBytes} bytes.");
            var body = await ReadTextAsync(http.Request, MaxCosignatureBytes, ct);
            if (body is null) return Problems.Validation("body", $"The body must be a UTF-8 text/plain signed note of at most {MaxCosignatureBytes} bytes.");
            return await Cosignatures.AcceptAsync(db, keys, clock, body, ct);
        }).WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxCosignatureBytes))
        .WithSummary("A witness's cosignature of a checkpoint (a signed note).")
        .Accepts<string>("text/plain").Produces<CosignaturesAccepted>()
        .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);
    }

    private static IResult Empty() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "The log is empty.",
            detail: "No event has been logged yet, so there is no checkpoint.");

    /// <summary>The signed checkpoint and the cosignatures witnesses gave for exactly this tree.</summary>
    public static async Task<string> WithCosignaturesAsync(NpgsqlConnection connection, StoredCheckpoint checkpoint, CancellationToken ct)
    {
        var lines = new List<string>();
        await using (var cmd = new NpgsqlCommand($"select line from {LogSchema.Cosignatures} where tree_size = $1 order by witness_name", connection))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.TreeSize });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) lines.Add(reader.GetString(0));
        }
        return checkpoint.Note + string.Concat(lines);
    }

    public static async Task<IReadOnlyList<LogEntry>> EntriesAsync(NpgsqlConnection connection, long start, long end, CancellationToken ct)
    {
        // The leaf is made again from the event as it is stored now: an event changed or deleted in the
        // database shows here as a leaf that no longer hashes into the signed tree.
        var entries = new List<LogEntry>((int)(end - start));
        await using var cmd = new NpgsqlCommand(
            $"select l.idx, l.event_id, l.stream_id, l.version, m.stream_id, m.version, m.type, m.timestamp, m.data::text "
            // By sequence number (the events' primary key; Marten keeps no index on their id). A row put
            // in a deleted event's place shows as another leaf: its id is part of the leaf.
            + $"from {LogSchema.Entries} l left join {Configuration.Schema}.mt_events m on m.seq_id = l.seq_id "
            + "where l.idx >= $1 and l.idx < $2 order by l.idx", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = start });
        cmd.Parameters.Add(new NpgsqlParameter { Value = end });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var eventId = reader.GetGuid(1);
            string? leaf = reader.IsDBNull(4)
                ? null
                : Convert.ToBase64String(LogWriter.Leaf(reader.GetString(4), reader.GetInt64(5), eventId, reader.GetString(6),
                    reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(8)));
            entries.Add(new LogEntry(reader.GetInt64(0), eventId, reader.GetString(2), reader.GetInt64(3), leaf));
        }
        return entries;
    }

    public static async Task<IReadOnlyList<WitnessView>> WitnessesAsync(NpgsqlConnection connection, LogKeys keys, CancellationToken ct)
    {
        var current = await LogStore.SignedSizeAsync(connection, ct);
        var seen = new Dictionary<string, (long Size, DateTimeOffset At)>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(
                         $"select distinct on (witness_key) witness_key, tree_size, cosigned_at from {LogSchema.Cosignatures} order by witness_key, tree_size desc",
                         connection))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) seen[reader.GetString(0)] = (reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2));
        return keys.Witnesses.Select(w => seen.TryGetValue(w.VerifierKey, out var s)
            ? new WitnessView(w.Name, w.VerifierKey, s.Size, s.At, s.Size == current)
            : new WitnessView(w.Name, w.VerifierKey, null, null, false)).ToList();
    }

    private static IResult? Refused(IQueryCollection query, string[] allowed)
    {
        var v = new Validation();
        return PledgeFilter.CheckNames(query, allowed, v) ? null : Problems.Validation(v);
    }

    /// <summary>A non-negative decimal integer in ASCII (or Khmer) digits, given once.</summary>
    public static long? Count(IQueryCollection query, string name, Validation v)
    {
        var values = query[name];
        if (values.Count == 0) { v.Add(name, $"'{name}' is required."); return null; }
        var text = Contracts.Digits.ToAscii(values[0] ?? "");
        if (text.Length is 0 or > 18 || !text.All(char.IsAsciiDigit)
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            v.Add(name, $"'{name}' must be a whole number from 0, written in digits 0-9.");
            return null;
        }
        return value;
    }

    private static async Task<string?> ReadTextAsync(HttpRequest request, int max, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max) return null;
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
