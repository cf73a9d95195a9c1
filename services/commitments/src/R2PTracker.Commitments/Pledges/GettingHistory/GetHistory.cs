using System.Text.Json;
using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Pledges.GettingHistory;

/// <summary>One stored event, raw: exactly what the hash covers plus the hash.</summary>
public record HistoryEntry(string StreamId, long Version, Guid EventId, string Type, string RecordedAt, JsonElement Data, string? Hash, long? LogIndex)
{
    public static HistoryEntry From(EventHashing.ChainLink link) => new(
        link.StreamId, link.Version, link.EventId, link.Type, EventHashing.FormatRecordedAt(link.RecordedAt),
        JsonDocument.Parse(link.DataJson).RootElement.Clone(), link.Hash, link.LogIndex);
}

public static class GetHistorySlice
{
    public static void MapGetHistory(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/pledges/{id}/history", async (string id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            // Streamed as it is read: a long history is never held whole.
            await using var exists = db.CreateCommand($"select 1 from {Configuration.Schema}.mt_streams where id = $1");
            exists.Parameters.Add(new NpgsqlParameter { Value = id });
            if (await exists.ExecuteScalarAsync(ct) is null) return Problems.NotFound(id);
            return Results.Ok(EventChain.ReadRawAsync(db, id, ct).Select(HistoryEntry.From));
        })
        .Reads<HistoryEntry[]>("Pledges", "A pledge's events as stored, with their chain hashes and log indices.", StatusCodes.Status404NotFound);

        app.MapGet("/api/pledges/{id}/verify", async (string id, NpgsqlDataSource db, CancellationToken ct) =>
            await Log.StreamAgainstLog.VerifyAsync(db, id, ct) is { } result ? Results.Ok(result) : Problems.NotFound(id))
            .Reads<Log.StreamVerification>("Pledges", "Checks a pledge's stored events against the transparency log.", StatusCodes.Status404NotFound);
    }
}
