using R2PTracker.TransparencyLog;

namespace R2PTracker.Verify.Live;

public sealed record VerifiedCheckpoint(SignedNote Note, Checkpoint Checkpoint);

/// <summary>Reads a signed checkpoint and checks the log's signature on it.</summary>
public static class CheckpointReader
{
    /// <summary>Null when the note is not signed by <paramref name="logKey"/>; throws FormatException when it is not a checkpoint note.</summary>
    public static VerifiedCheckpoint? Read(string noteText, NoteVerifier logKey)
    {
        var note = SignedNote.Parse(noteText);
        var checkpoint = Checkpoint.Parse(note.Text);
        return note.IsSignedBy(logKey) ? new VerifiedCheckpoint(note, checkpoint) : null;
    }

    public static async Task<VerifiedCheckpoint?> FetchAsync(LogClient log, NoteVerifier logKey, CancellationToken ct = default)
    {
        var text = await log.GetCheckpointAsync(ct);
        try
        {
            return Read(text, logKey);
        }
        catch (FormatException e)
        {
            throw new LogUnavailableException($"the log's checkpoint cannot be read: {e.Message}", e);
        }
    }
}
