using System.Text;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Verify.Live;

/// <summary>The outcome of a check against a live log: Ok, or the failure named.</summary>
public sealed record CheckResult(bool Ok, string Message)
{
    public static CheckResult Pass(string message) => new(true, message);
    public static CheckResult Fail(string message) => new(false, message);
}

/// <summary>verify-inclusion and verify-consistency against a running tracker.</summary>
public static class LiveChecks
{
    /// <summary>Entry <paramref name="index"/> is in the tree the log's current signed checkpoint commits to.</summary>
    public static async Task<CheckResult> InclusionAsync(LogClient log, NoteVerifier logKey, long index, TextWriter output, CancellationToken ct = default)
    {
        var latest = await CheckpointReader.FetchAsync(log, logKey, ct);
        if (latest is null) return CheckResult.Fail($"bad signature: the log's checkpoint is not signed by {logKey.Name}+{logKey.KeyHash:x8}");
        var (origin, size, root) = (latest.Checkpoint.Origin, latest.Checkpoint.TreeSize, latest.Checkpoint.RootHash);
        output.WriteLine($"checkpoint  {origin} size {size} root {Convert.ToBase64String(root)} (signature ok)");
        if (index < 0 || index >= size) return CheckResult.Fail($"entry {index} is not in the log yet (size {size})");

        var entry = (await log.GetEntriesAsync(index, index + 1, ct)).FirstOrDefault(e => e.Index == index);
        if (entry is null) return CheckResult.Fail($"missing entry {index}: the log does not serve it");
        if (entry.Leaf is null) return CheckResult.Fail($"entry {index} has no event behind it (deleted from the tracker's store)");
        var leaf = LogHashes.TryBase64(entry.Leaf) ?? throw new LogUnavailableException($"entry {index}: the leaf is not base64");
        output.WriteLine($"entry       {index} event {entry.EventId} pledge {entry.PledgeId} version {entry.Version}");
        output.WriteLine($"leaf        {Encoding.UTF8.GetString(leaf)}");
        var leafHash = Merkle.LeafHash(leaf);

        var proof = await log.GetInclusionProofAsync(index, size, ct);
        var hashes = LogHashes.Decode(proof.Hashes) ?? throw new LogUnavailableException("the inclusion proof holds something that is not a hash");
        if (proof.Index != index || proof.TreeSize != size) return CheckResult.Fail($"the log answered with a proof for entry {proof.Index} in size {proof.TreeSize}");
        if (LogHashes.TryBase64(proof.LeafHash) is { } claimed && !claimed.AsSpan().SequenceEqual(leafHash))
            return CheckResult.Fail($"leaf mismatch: entry {index} hashes to {Convert.ToBase64String(leafHash)}, the proof is for {proof.LeafHash}");
        return Merkle.VerifyInclusion(index, size, leafHash, hashes, root)
            ? CheckResult.Pass($"entry {index} is included in the tree of size {size}")
            : CheckResult.Fail($"inclusion proof failed: entry {index} is not in the tree the checkpoint signs");
    }

    /// <summary>The log's current checkpoint extends <paramref name="earlierNote"/> (an earlier signed checkpoint).</summary>
    public static async Task<CheckResult> ConsistencyAsync(LogClient log, NoteVerifier logKey, string earlierNote, TextWriter output, CancellationToken ct = default)
    {
        VerifiedCheckpoint? earlier;
        try
        {
            earlier = CheckpointReader.Read(earlierNote, logKey);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"the earlier checkpoint cannot be read: {e.Message}", e);
        }
        if (earlier is null) return CheckResult.Fail("bad signature: the earlier checkpoint is not signed by the log key");
        var latest = await CheckpointReader.FetchAsync(log, logKey, ct);
        if (latest is null) return CheckResult.Fail("bad signature: the log's checkpoint is not signed by the log key");
        output.WriteLine($"earlier     size {earlier.Checkpoint.TreeSize} root {Convert.ToBase64String(earlier.Checkpoint.RootHash)}");
        output.WriteLine($"latest      size {latest.Checkpoint.TreeSize} root {Convert.ToBase64String(latest.Checkpoint.RootHash)}");
        return await ConsistencyBetweenAsync(log, earlier.Checkpoint, latest.Checkpoint, ct);
    }

    /// <summary>The checks a witness makes between the checkpoint it holds and a newer one.</summary>
    public static async Task<CheckResult> ConsistencyBetweenAsync(LogClient log, Checkpoint earlier, Checkpoint latest, CancellationToken ct = default)
    {
        if (earlier.Origin != latest.Origin) return CheckResult.Fail($"origin changed: '{earlier.Origin}' became '{latest.Origin}'");
        var (m, n) = (earlier.TreeSize, latest.TreeSize);
        if (n < m) return CheckResult.Fail($"rollback: the log shrank from {m} to {n} entries");
        if (n == m)
        {
            return earlier.RootHash.AsSpan().SequenceEqual(latest.RootHash)
                ? CheckResult.Pass($"unchanged at size {n}")
                : CheckResult.Fail($"fork: two different roots for size {n}");
        }
        if (m == 0)
        {
            return Merkle.VerifyConsistency(0, n, earlier.RootHash, latest.RootHash, [])
                ? CheckResult.Pass($"grew from 0 to {n}")
                : CheckResult.Fail("fork: a checkpoint of the empty tree with a root that is not the empty root");
        }
        var proof = await log.GetConsistencyProofAsync(m, n, ct);
        var hashes = LogHashes.Decode(proof.Hashes) ?? throw new LogUnavailableException("the consistency proof holds something that is not a hash");
        return proof.From == m && proof.To == n && Merkle.VerifyConsistency(m, n, earlier.RootHash, latest.RootHash, hashes)
            ? CheckResult.Pass($"consistent: grew from {m} to {n}")
            : CheckResult.Fail($"fork: the tree of size {n} does not extend the tree of size {m} (consistency proof failed)");
    }
}
