using R2PTracker.TransparencyLog;
using R2PTracker.Verify.Live;

namespace R2PTracker.Verify.Witnessing;

public enum AuditMode { All, New }

public enum WitnessVerdict { Ok, BadSignature, OriginMismatch, Rollback, Fork, AuditFailed }

public sealed record WitnessResult(WitnessVerdict Verdict, string Message, Checkpoint? Checkpoint = null, SubmissionResult? Submission = null)
{
    public bool Ok => Verdict == WitnessVerdict.Ok;
}

/// <summary>
/// One witness round: take the log's latest checkpoint, check its signature, that it extends the one
/// held from the last round, and that the entries the log serves hash to its root; only then remember
/// it, co-sign it and hand the cosignature to the log.
/// </summary>
public sealed class Witness(LogClient log, NoteVerifier logKey, NoteSigner witnessKey, WitnessState state, TimeProvider time, TextWriter output)
{
    public Witness(HttpClient http, string baseUrl, NoteVerifier logKey, NoteSigner witnessKey, WitnessState state, TimeProvider time, TextWriter output)
        : this(new LogClient(http, baseUrl), logKey, witnessKey, state, time, output) { }

    public async Task<WitnessResult> RunAsync(AuditMode audit, bool submit, CancellationToken ct = default)
    {
        var noteText = await log.GetCheckpointAsync(ct);
        VerifiedCheckpoint? latest;
        try
        {
            latest = CheckpointReader.Read(noteText, logKey);
        }
        catch (FormatException e)
        {
            throw new LogUnavailableException($"the log's checkpoint cannot be read: {e.Message}", e);
        }
        if (latest is null) return new(WitnessVerdict.BadSignature, $"bad signature: the checkpoint is not signed by {logKey.Name}+{logKey.KeyHash:x8}");
        var checkpoint = latest.Checkpoint;
        output.WriteLine($"checkpoint  {checkpoint.Origin} size {checkpoint.TreeSize} root {Convert.ToBase64String(checkpoint.RootHash)} (signature ok)");

        var previous = state.Load();
        if (previous is null)
        {
            output.WriteLine("first run: no earlier checkpoint to compare with");
        }
        else
        {
            if (previous.Checkpoint.Origin != checkpoint.Origin)
                return new(WitnessVerdict.OriginMismatch, $"origin mismatch: this witness follows '{previous.Checkpoint.Origin}', the log now says '{checkpoint.Origin}'", checkpoint);
            var consistency = await LiveChecks.ConsistencyBetweenAsync(log, previous.Checkpoint, checkpoint, ct);
            if (!consistency.Ok)
            {
                var verdict = checkpoint.TreeSize < previous.Checkpoint.TreeSize ? WitnessVerdict.Rollback : WitnessVerdict.Fork;
                return new(verdict, consistency.Message, checkpoint);
            }
            output.WriteLine($"previous    size {previous.Checkpoint.TreeSize}: {consistency.Message}");
        }

        // Reading only the new entries is sound only from an edge that is known to give the old root.
        var from = audit == AuditMode.New && previous?.RightEdge is { } edge ? edge : null;
        if (audit == AuditMode.New && from is null && previous is not null) output.WriteLine("no stored right edge: auditing every entry");
        var range = from is null ? new CompactRange() : new CompactRange(from.Size, from.RightEdge);
        var audited = await AuditAsync(range, checkpoint, ct);
        if (audited is not null) return new(WitnessVerdict.AuditFailed, audited, checkpoint);

        state.Save(noteText, checkpoint, range);
        var line = witnessKey.Cosign(checkpoint, time.GetUtcNow());
        output.WriteLine($"cosigned    as {witnessKey.Name}");
        if (!submit) return new(WitnessVerdict.Ok, $"ok: size {checkpoint.TreeSize} witnessed (cosignature not submitted)", checkpoint);

        var submission = await log.SubmitCosignatureAsync(checkpoint.Format() + "\n" + line, ct);
        var outcome = submission.Accepted ? "cosignature accepted" : $"cosignature refused: {submission.Status} {submission.Detail}";
        return new(WitnessVerdict.Ok, $"ok: size {checkpoint.TreeSize} witnessed; {outcome}", checkpoint, submission);
    }

    /// <summary>Extends <paramref name="range"/> with the entries the log serves up to the checkpoint; null when they give its root.</summary>
    private async Task<string?> AuditAsync(CompactRange range, Checkpoint checkpoint, CancellationToken ct)
    {
        var start = range.Size;
        while (range.Size < checkpoint.TreeSize)
        {
            var end = Math.Min(range.Size + LogClient.MaxEntriesPerRequest, checkpoint.TreeSize);
            var page = await log.GetEntriesAsync(range.Size, end, ct);
            if (page.Count == 0) return $"audit failed: missing entry {range.Size} (the log serves none from there)";
            foreach (var entry in page)
            {
                if (entry.Index != range.Size)
                {
                    return entry.Index > range.Size
                        ? $"audit failed: missing entry {range.Size} (the log skipped to {entry.Index})"
                        : $"audit failed: entry {entry.Index} served again or out of order at {range.Size}";
                }
                if (entry.Index >= end) return $"audit failed: entry {entry.Index} was not asked for";
                // The tracker serves no leaf for an entry whose event is gone from its store.
                if (entry.Leaf is null) return $"audit failed: entry {entry.Index} has no event behind it (deleted from the tracker's store)";
                var leaf = LogHashes.TryBase64(entry.Leaf) ?? throw new LogUnavailableException($"entry {entry.Index}: the leaf is not base64");
                range.Append(Merkle.LeafHash(leaf));
            }
        }
        output.WriteLine(start == checkpoint.TreeSize ? "audited     no new entries" : $"audited     entries {start}..{checkpoint.TreeSize - 1}");
        return range.Root().AsSpan().SequenceEqual(checkpoint.RootHash)
            ? null
            : $"audit failed: the entries the log serves hash to {Convert.ToBase64String(range.Root())}, not to the checkpoint's root (an entry was changed or removed)";
    }
}
