using R2PTracker.Commitments.Http;
using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Npgsql;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.ReadModel;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Export;

/// <summary>One pledge as exported (CSV row / JSON object): current state plus the OGP completion level.</summary>
public record PledgeExportRow(
    string Id, string Title, string Actor, string Country, string MadeOn, string? TargetDate, string Status,
    string OgpCompletion, int Progress, string? StatusSince, string? StatusReason, int MilestoneCount, bool Overdue,
    long Version, string SourceTitle, string SourcePublisher, string? SourceUrl, string Quote,
    string? Verifiability = null, string? VerifiabilityReason = null, string? StatusReasonCode = null);

public static class OpenDataExport
{
    /// <summary>
    /// Our status on the OGP completion scale (Not Started, Limited, Substantial, Complete).
    /// Where the issue allows two levels, progress decides: InTheWorks is Substantial from 50 %,
    /// Broken is Limited if any progress was recorded.
    /// </summary>
    public static string OgpCompletion(PledgeStatus status, int progress) => status switch
    {
        PledgeStatus.NotYetRated => "Not Started",
        PledgeStatus.InTheWorks => progress >= 50 ? "Substantial" : "Limited",
        PledgeStatus.Stalled => "Limited",
        PledgeStatus.Kept => "Complete",
        PledgeStatus.Compromise => "Substantial",
        PledgeStatus.Broken => progress > 0 ? "Limited" : "Not Started",
        _ => "Not Started",
    };

    public static PledgeExportRow Row(Pledge p) => new(
        p.Id, p.Title, p.Actor, p.Country, p.MadeOn, p.TargetDate, p.Status.ToString(), OgpCompletion(p.Status, p.Progress),
        p.Progress, p.StatusSince, p.StatusReason, p.MilestoneCount, p.Overdue, p.Version, p.Source.Title, p.Source.Publisher,
        p.Source.Url, p.Quote, p.Verifiability?.ToString(), p.VerifiabilityReason, p.StatusReasonCode?.ToString());

    /// <summary>
    /// The pledge exports read today's state from the read model (one row a pledge, without its
    /// milestones), in id order, a row at a time.
    /// </summary>
    private static async IAsyncEnumerable<PledgeExportRow> CurrentRowsAsync(
        NpgsqlConnection connection, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"select data::text from {ReadModelSchema.States} where axis = 'recorded' and valid_to is null order by pledge_id", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return Row(JsonSerializer.Deserialize<Pledge>(reader.GetString(0), ReadModelWrites.Json)!);
    }

    /// <summary>
    /// A field that starts with =, @, +, - or a tab or carriage return is a formula to a spreadsheet
    /// (CSV injection): CsvHelper escapes it with a leading apostrophe and quotes, so it is shown as
    /// text. Nothing else changes.
    /// </summary>
    public static readonly CsvHelper.Configuration.CsvConfiguration CsvSettings = new(CultureInfo.InvariantCulture)
    {
        InjectionOptions = CsvHelper.Configuration.InjectionOptions.Escape,
    };

    public static async Task CsvAsync(IAsyncEnumerable<PledgeExportRow> rows, Stream output, CancellationToken ct)
    {
        await using var chunks = new ChunkedOutput(output);
        await using var writer = new StreamWriter(chunks.Buffer, new UTF8Encoding(false), leaveOpen: true);
        await using var csv = new CsvWriter(writer, CsvSettings);
        csv.WriteHeader<PledgeExportRow>();
        await csv.NextRecordAsync();
        await foreach (var row in rows.WithCancellation(ct))
        {
            csv.WriteRecord(row);
            await csv.NextRecordAsync();
            await csv.FlushAsync();
            await chunks.MaybeSendAsync(ct);
        }
        await csv.FlushAsync();
        await chunks.SendAsync(ct);
    }

    public static async Task JsonAsync(IAsyncEnumerable<PledgeExportRow> rows, Stream output, CancellationToken ct)
    {
        await using var chunks = new ChunkedOutput(output);
        await using var json = new Utf8JsonWriter(chunks.Buffer);
        json.WriteStartArray();
        await foreach (var row in rows.WithCancellation(ct))
        {
            JsonSerializer.Serialize(json, row, JsonSerializerOptions.Web);
            await json.FlushAsync(ct);
            await chunks.MaybeSendAsync(ct);
        }
        json.WriteEndArray();
        await json.FlushAsync(ct);
        await chunks.SendAsync(ct);
    }

    /// <summary>
    /// Every event, one JSON object a line, with what the chain hash covers (the event's data as
    /// stored). The offline verifier re-canonicalises the data, so its spacing does not matter.
    /// </summary>
    public static async Task EventsAsync(NpgsqlConnection connection, Stream output, CancellationToken ct)
    {
        await using var chunks = new ChunkedOutput(output);
        await using var json = new Utf8JsonWriter(chunks.Buffer);
        await foreach (var link in EventChain.ReadRawAsync(connection, null, ct))
        {
            json.WriteStartObject();
            json.WriteString("streamId", link.StreamId);
            json.WriteNumber("version", link.Version);
            json.WriteString("eventId", link.EventId);
            json.WriteString("type", link.Type);
            json.WriteString("recordedAt", EventHashing.FormatRecordedAt(link.RecordedAt));
            json.WritePropertyName("data");
            json.WriteRawValue(link.DataJson, skipInputValidation: true);
            if (link.Hash is null) json.WriteNull("hash"); else json.WriteString("hash", link.Hash);
            if (link.LogIndex is null) json.WriteNull("logIndex"); else json.WriteNumber("logIndex", link.LogIndex.Value);
            json.WriteEndObject();
            await json.FlushAsync(ct);
            json.Reset();
            chunks.Buffer.WriteByte((byte)'\n');
            await chunks.MaybeSendAsync(ct);
        }
        // Last, the signed checkpoint of exactly the logged events above (written with them in one
        // transaction, read in this snapshot): r2p-verify verify-export recomputes the tree against it.
        if (await Log.LogStore.LatestNoteAsync(connection, ct) is { } checkpoint)
        {
            json.WriteStartObject();
            json.WriteString("checkpoint", checkpoint);
            json.WriteEndObject();
            await json.FlushAsync(ct);
            chunks.Buffer.WriteByte((byte)'\n');
        }
        await chunks.SendAsync(ct);
    }

    public const string CheckpointHeader = "Log-Checkpoint";

    private static readonly (string Path, string ContentType, Func<NpgsqlConnection, Stream, CancellationToken, Task> Write)[] Exports =
    [
        ("/api/export/pledges.csv", "text/csv; charset=utf-8", (c, o, ct) => CsvAsync(CurrentRowsAsync(c, ct), o, ct)),
        ("/api/export/pledges.json", "application/json; charset=utf-8", (c, o, ct) => JsonAsync(CurrentRowsAsync(c, ct), o, ct)),
        // Check it with tools/R2PTracker.Verify.
        ("/api/export/events.ndjson", "application/x-ndjson", EventsAsync),
    ];

    /// <summary>
    /// GET and HEAD of every export. The body is written from one repeatable-read snapshot, so it
    /// is the same for every request that sees the same events; events are only ever appended, so
    /// their count and last sequence number name that set. Each set's SHA-256 and length are
    /// found once per instance by a first pass that hashes without keeping the bytes
    /// (<see cref="ExportDigests"/>); then ETag, Digest (RFC 3230), Repr-Digest (RFC 9530) and
    /// Content-Length go out before the first byte of the body, and HEAD answers them alone.
    /// </summary>
    public static void MapOpenDataExport(this IEndpointRouteBuilder app)
    {
        foreach (var (path, contentType, write) in Exports)
        {
            var fileName = path[(path.LastIndexOf('/') + 1)..];
            app.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], async (HttpContext http, NpgsqlDataSource db, ExportDigests digests, CancellationToken ct) =>
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                var version = await ExportDigests.VersionAsync(connection, ct);
                if (digests.Find(path, version) is not { } digest)
                {
                    await using var hashing = new HashingStream();
                    await write(connection, hashing, ct);
                    digest = digests.Remember(path, version, hashing.Digest());
                }

                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
                // Every export names the signed tree it was taken at (base64 of the checkpoint note, which spans lines).
                if (await Log.LogStore.LatestNoteAsync(connection, ct) is { } checkpoint)
                    http.Response.Headers[CheckpointHeader] = Convert.ToBase64String(Encoding.UTF8.GetBytes(checkpoint));
                if (digest.Announce(http, contentType)) return;
                if (HttpMethods.IsHead(http.Request.Method)) return;
                await write(connection, http.Response.Body, ct);
            })
            .WithTags("Open data").WithSummary($"The open-data export {fileName}, with its digest, length and the signed checkpoint it was taken at.")
            .Produces(StatusCodes.Status200OK, contentType.EndsWith("json; charset=utf-8", StringComparison.Ordinal) ? typeof(PledgeExportRow[]) : typeof(string),
                contentType.Split(';')[0])
            .Produces(StatusCodes.Status304NotModified);
        }
    }
}
