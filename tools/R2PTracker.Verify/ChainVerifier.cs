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
        var streams = new Dictionary<string, List<EventHashing.ChainLink>>(StringComparer.Ordinal);
        string? line;
        var number = 0;
        while ((line = await ndjson.ReadLineAsync()) is not null)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var link = new EventHashing.ChainLink(
                e.GetProperty("streamId").GetString()!,
                e.GetProperty("version").GetInt64(),
                e.GetProperty("eventId").GetGuid(),
                e.GetProperty("type").GetString()!,
                DateTimeOffset.Parse(e.GetProperty("recordedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                e.GetProperty("data").GetRawText(),
                e.TryGetProperty("hash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null);
            if (!streams.TryGetValue(link.StreamId, out var list)) streams[link.StreamId] = list = [];
            list.Add(link);
        }
        return streams.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
        {
            var (valid, head, broken) = EventHashing.Verify(s.Value.OrderBy(l => l.Version));
            return new StreamResult(s.Key, s.Value.Count, valid, head, broken);
        }).ToList();
    }
}
