namespace R2PTracker.TransparencyLog.Tests.Tree;

/// <summary>
/// A tree as a log would keep it: every perfect subtree hash that <see cref="CompactRange.Append"/>
/// returned, answering proofs through the library's ranges.
/// </summary>
internal sealed class StoredTree
{
    private readonly Dictionary<Subtree, byte[]> _nodes = [];
    private readonly CompactRange _range = new();

    public StoredTree(IEnumerable<byte[]> leaves)
    {
        foreach (var leaf in leaves) Append(leaf);
    }

    public long Size => _range.Size;

    public void Append(byte[] leaf)
    {
        foreach (var (node, hash) in _range.Append(Merkle.LeafHash(leaf))) _nodes.Add(node, hash);
    }

    public byte[] HashOf(LeafRange range) =>
        Merkle.FoldRight(Merkle.Decompose(range.Start, range.End).Select(s => _nodes[s]).ToList());

    public byte[] Root(long size) => HashOf(new LeafRange(0, size));

    public List<byte[]> InclusionProof(long index, long size) =>
        Merkle.InclusionProofRanges(index, size).Select(HashOf).ToList();

    public List<byte[]> ConsistencyProof(long from, long to) =>
        Merkle.ConsistencyProofRanges(from, to).Select(HashOf).ToList();
}
