using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Marten;
using Npgsql;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.GettingHistory;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Export;

/// <summary>One pledge as exported (CSV row / JSON object): current state plus the OGP completion level.</summary>
public record PledgeExportRow(
    string Id, string Title, string Actor, string Country, string MadeOn, string? TargetDate, string Status,
    string OgpCompletion, int Progress, string? StatusSince, string? StatusReason, int MilestoneCount, bool Overdue,
    long Version, string SourceTitle, string SourcePublisher, string? SourceUrl, string Quote);

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
        p.Source.Url, p.Quote);

    public static byte[] Csv(IEnumerable<PledgeExportRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(false)))
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            csv.WriteRecords(rows);
        }
        return buffer.ToArray();
    }

    /// <summary>Answers with the bytes and their SHA-256 as ETag, Digest (RFC 3230) and Repr-Digest (RFC 9530).</summary>
    public static IResult WithDigest(HttpContext http, byte[] body, string contentType, string fileName)
    {
        var sha = System.Security.Cryptography.SHA256.HashData(body);
        var etag = $"\"sha256-{Convert.ToHexStringLower(sha)}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers["Digest"] = $"sha-256={Convert.ToBase64String(sha)}";
        http.Response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(sha)}:";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        if (http.Request.Headers.IfNoneMatch.ToString() == etag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(body, contentType);
    }

    public static void MapOpenDataExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/export/pledges.csv", async (HttpContext http, IQuerySession session, CancellationToken ct) =>
        {
            var pledges = await session.Query<Pledge>().OrderBy(p => p.Id).ToListAsync(ct);
            return WithDigest(http, Csv(pledges.Select(Row)), "text/csv; charset=utf-8", "pledges.csv");
        });

        app.MapGet("/api/export/pledges.json", async (HttpContext http, IQuerySession session, CancellationToken ct) =>
        {
            var pledges = await session.Query<Pledge>().OrderBy(p => p.Id).ToListAsync(ct);
            var body = JsonSerializer.SerializeToUtf8Bytes(pledges.Select(Row).ToList(), JsonSerializerOptions.Web);
            return WithDigest(http, body, "application/json; charset=utf-8", "pledges.json");
        });

        // Every event, one JSON object a line, with what the hash chain covers: check it with tools/R2PTracker.Verify.
        app.MapGet("/api/export/events.ndjson", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await foreach (var link in EventChain.ReadRawAsync(db, null, ct))
            {
                JsonSerializer.Serialize(buffer, HistoryEntry.From(link), JsonSerializerOptions.Web);
                buffer.WriteByte((byte)'\n');
            }
            return WithDigest(http, buffer.ToArray(), "application/x-ndjson", "events.ndjson");
        });
    }
}
