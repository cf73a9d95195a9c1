using System.Globalization;
using System.Text.Json;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Verify;

public sealed record StreamResult(string StreamId, int Events, bool Valid, string HeadHash, long? BrokenAtVersion);

/// <summary>Checks the hash chain of every stream in an events.ndjson export, offline.</summary>
public static class ChainVerifier
{
    public static async Task<IReadOnlyList<StreamResult>> VerifyAsync(TextReader ndjson)
    {
        var links = new List<EventHashing.ChainLink>();
        string? line;
        while ((line = await ndjson.ReadLineAsync()) is not null)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            // The export ends with the signed checkpoint of the log; it belongs to no stream.
            if (IsCheckpointLine(doc.RootElement)) continue;
            links.Add(ParseLink(doc.RootElement));
        }
        return Verify(links);
    }

    public static IReadOnlyList<StreamResult> Verify(IEnumerable<EventHashing.ChainLink> links) =>
        links.GroupBy(l => l.StreamId, StringComparer.Ordinal).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
        {
            var (valid, head, broken) = EventHashing.Verify(s.OrderBy(l => l.Version));
            return new StreamResult(s.Key, s.Count(), valid, head, broken);
        }).ToList();

    internal static bool IsCheckpointLine(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("checkpoint", out _) && !e.TryGetProperty("streamId", out _);

    internal static EventHashing.ChainLink ParseLink(JsonElement e) => new(
        e.GetProperty("streamId").GetString()!,
        e.GetProperty("version").GetInt64(),
        e.GetProperty("eventId").GetGuid(),
        e.GetProperty("type").GetString()!,
        DateTimeOffset.Parse(e.GetProperty("recordedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        e.GetProperty("data").GetRawText(),
        e.TryGetProperty("hash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null);
}
