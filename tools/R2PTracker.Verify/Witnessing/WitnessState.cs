using System.Text.Json;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Verify.Witnessing;

/// <summary>
/// What a witness remembers between runs: the last checkpoint it verified (the signed note as the log
/// served it) and the right edge of that tree, so that auditing only the new entries can extend it.
/// </summary>
public sealed record WitnessMemory(string CheckpointNote, Checkpoint Checkpoint, CompactRange? RightEdge);

/// <summary>
/// The witness's directory. state.json is the record, replaced whole by a rename so that a crash leaves
/// either the old or the new state; checkpoint is a copy of the note for use with verify-consistency.
/// </summary>
public sealed class WitnessState(string directory)
{
    private const string StateFile = "state.json";
    private const string CheckpointCopy = "checkpoint";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record Stored(string Origin, long TreeSize, string Checkpoint, List<string>? RightEdge);

    public string Directory { get; } = directory;

    public WitnessMemory? Load()
    {
        var path = Path.Combine(Directory, StateFile);
        if (!File.Exists(path)) return null;
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json) ?? throw new JsonException("empty state");
            var checkpoint = Checkpoint.Parse(SignedNote.Parse(stored.Checkpoint).Text);
            CompactRange? edge = null;
            if (stored.RightEdge is { } hashes)
            {
                var range = new CompactRange(checkpoint.TreeSize, hashes.Select(Convert.FromBase64String).ToList());
                // An edge that does not give the stored root is worthless; the next audit then reads everything.
                if (range.Root().AsSpan().SequenceEqual(checkpoint.RootHash)) edge = range;
            }
            return new WitnessMemory(stored.Checkpoint, checkpoint, edge);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a witness state: {e.Message}", e);
        }
    }

    public void Save(string checkpointNote, Checkpoint checkpoint, CompactRange? rightEdge)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var stored = new Stored(checkpoint.Origin, checkpoint.TreeSize, checkpointNote, rightEdge?.RightEdge.Select(Convert.ToBase64String).ToList());
        WriteAtomically(StateFile, JsonSerializer.Serialize(stored, Json));
        WriteAtomically(CheckpointCopy, checkpointNote);
    }

    private void WriteAtomically(string name, string content)
    {
        var target = Path.Combine(Directory, name);
        var temp = Path.Combine(Directory, $".{name}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, target, overwrite: true);
    }
}
