using System.Text;
using System.Text.Json;
using R2PTracker.Commitments.Recording;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Verify.Export;

/// <summary>What an export check found. No failures means the export is what the log committed to.</summary>
public sealed record ExportReport(
    Checkpoint Checkpoint, int Events, int Logged, int BeyondCheckpoint,
    IReadOnlyList<StreamResult> Streams, IReadOnlyList<string> Failures)
{
    public bool Ok => Failures.Count == 0;
}

/// <summary>The export could not be read as one (exit code 2, not a verification failure).</summary>
public sealed class ExportFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Checks an events.ndjson export against the log: the checkpoint's signature, that the logged events
/// are exactly the leaves 0..size-1, that they hash to the checkpoint root, and every stream's chain.
/// </summary>
public static class ExportVerifier
{
    private const int MaxListed = 10;

    private sealed record Logged(long Index, EventHashing.ChainLink Link);

    public static async Task<ExportReport> VerifyAsync(TextReader export, NoteVerifier logKey, string? checkpointOverride = null)
    {
        var (links, logged, embedded) = await ReadAsync(export);
        var noteText = checkpointOverride ?? embedded ?? throw new ExportFormatException("the export has no checkpoint line and no --checkpoint was given");
        SignedNote note;
        Checkpoint checkpoint;
        try
        {
            note = SignedNote.Parse(noteText);
            checkpoint = Checkpoint.Parse(note.Text);
        }
        catch (FormatException e)
        {
            throw new ExportFormatException($"the checkpoint cannot be read: {e.Message}", e);
        }

        var failures = new List<string>();
        if (!note.IsSignedBy(logKey)) failures.Add($"bad signature: the checkpoint is not signed by {logKey.Name}+{logKey.KeyHash:x8}");

        var covered = logged.Where(l => l.Index < checkpoint.TreeSize).ToList();
        failures.AddRange(IndexFailures(covered, checkpoint.TreeSize));
        if (failures.All(f => !f.StartsWith("missing", StringComparison.Ordinal) && !f.StartsWith("duplicate", StringComparison.Ordinal)))
        {
            var leaves = covered.OrderBy(l => l.Index).Select(l => Merkle.LeafHash(Leaf(l.Link))).ToList();
            var root = Merkle.RootOf(leaves);
            if (!root.AsSpan().SequenceEqual(checkpoint.RootHash))
                failures.Add($"root mismatch: the logged events hash to {Convert.ToBase64String(root)}, the checkpoint says {Convert.ToBase64String(checkpoint.RootHash)}");
        }

        var streams = ChainVerifier.Verify(links);
        failures.AddRange(streams.Where(s => !s.Valid).Select(s => $"broken chain of stream {s.StreamId} at version {s.BrokenAtVersion}"));
        return new ExportReport(checkpoint, links.Count, covered.Count, logged.Count - covered.Count, streams, failures);
    }

    /// <summary>UTF-8 of the canonical event: the bytes the log's leaf commits to.</summary>
    public static byte[] Leaf(EventHashing.ChainLink l) =>
        Encoding.UTF8.GetBytes(EventHashing.Canonical(l.StreamId, l.Version, l.EventId, l.Type, l.RecordedAt, l.DataJson));

    private static IEnumerable<string> IndexFailures(List<Logged> covered, long treeSize)
    {
        var byIndex = covered.GroupBy(l => l.Index).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (index, events) in byIndex.Where(g => g.Value.Count > 1).OrderBy(g => g.Key).Take(MaxListed))
            yield return $"duplicate log index {index}: events {string.Join(", ", events.Select(e => e.Link.EventId))}";
        var missing = new List<long>();
        for (long i = 0; i < treeSize && missing.Count <= MaxListed; i++)
            if (!byIndex.ContainsKey(i)) missing.Add(i);
        foreach (var index in missing.Take(MaxListed)) yield return $"missing log index {index}";
        if (missing.Count > MaxListed) yield return "missing: more log indices";
    }

    private static async Task<(List<EventHashing.ChainLink> Links, List<Logged> Logged, string? Checkpoint)> ReadAsync(TextReader export)
    {
        var links = new List<EventHashing.ChainLink>();
        var logged = new List<Logged>();
        string? checkpoint = null;
        string? line;
        var number = 0;
        while ((line = await export.ReadLineAsync()) is not null)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (checkpoint is not null) throw new ExportFormatException($"line {number}: the checkpoint line must be the last line");
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                if (ChainVerifier.IsCheckpointLine(e))
                {
                    checkpoint = e.GetProperty("checkpoint").GetString() ?? throw new ExportFormatException($"line {number}: the checkpoint is null");
                    continue;
                }
                var link = ChainVerifier.ParseLink(e);
                links.Add(link);
                if (e.TryGetProperty("logIndex", out var index) && index.ValueKind != JsonValueKind.Null)
                {
                    var value = index.GetInt64();
                    if (value < 0) throw new ExportFormatException($"line {number}: negative logIndex {value}");
                    logged.Add(new Logged(value, link));
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                throw new ExportFormatException($"line {number}: {e.Message}", e);
            }
        }
        return (links, logged, checkpoint);
    }
}
