using System.Numerics;

namespace R2PTracker.TransparencyLog;

/// <summary>
/// The right edge of a growing tree: the hashes of <see cref="Merkle.Decompose"/>(0, Size), which is
/// all a log needs in memory to append and to compute its root.
/// </summary>
public sealed class CompactRange
{
    private readonly List<byte[]> _edge = [];

    public CompactRange() { }

    /// <summary>Restores a range from the hashes of Decompose(0, size), left to right.</summary>
    public CompactRange(long size, IReadOnlyList<byte[]> rightEdgeHashes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (rightEdgeHashes.Count != BitOperations.PopCount((ulong)size))
            throw new ArgumentException($"a tree of size {size} has {BitOperations.PopCount((ulong)size)} right-edge subtrees, not {rightEdgeHashes.Count}", nameof(rightEdgeHashes));
        if (rightEdgeHashes.Any(h => h is not { Length: Merkle.HashSize }))
            throw new ArgumentException($"right-edge hashes must be {Merkle.HashSize} bytes", nameof(rightEdgeHashes));
        Size = size;
        _edge.AddRange(rightEdgeHashes.Select(h => h.ToArray()));
    }

    public long Size { get; private set; }

    public IReadOnlyList<byte[]> RightEdge => _edge.Select(h => h.ToArray()).ToList();

    /// <summary>
    /// Appends a leaf and returns every perfect subtree it completes: the leaf itself (level 0), then
    /// each parent up to the largest, so that the caller can store them for answering proofs.
    /// </summary>
    public IReadOnlyList<(Subtree Node, byte[] Hash)> Append(byte[] leafHash)
    {
        if (leafHash is not { Length: Merkle.HashSize }) throw new ArgumentException($"a leaf hash has {Merkle.HashSize} bytes", nameof(leafHash));
        var hash = leafHash.ToArray();
        var node = new Subtree(0, Size);
        var completed = new List<(Subtree, byte[])> { (node, hash) };
        // Each trailing 1 bit of the old size is a left sibling of the same level waiting on the edge.
        for (var s = Size; (s & 1) == 1; s >>= 1)
        {
            hash = Merkle.NodeHash(_edge[^1], hash);
            _edge.RemoveAt(_edge.Count - 1);
            node = new Subtree(node.Level + 1, node.Index >> 1);
            completed.Add((node, hash));
        }
        _edge.Add(hash);
        Size++;
        return completed.Select(c => (c.Item1, c.Item2.ToArray())).ToList();
    }

    public byte[] Root() => Merkle.FoldRight(_edge);
}
