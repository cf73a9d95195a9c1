namespace R2PTracker.TransparencyLog.Tests.Tree;

public sealed class CompactRangeTests
{
    private static readonly List<byte[]> Leaves = TestLeaves.Random(130, seed: 6962);

    [Fact]
    public void Append_returns_exactly_the_perfect_subtrees_the_leaf_completes()
    {
        var range = new CompactRange();
        for (var i = 0; i < Leaves.Count; i++)
        {
            var completed = range.Append(Merkle.LeafHash(Leaves[i]));
            // Level L ends at leaf i exactly when 2^L divides i + 1.
            var expected = Enumerable.Range(0, 63).TakeWhile(l => (i + 1) % (1L << l) == 0).Select(l => new Subtree(l, (i + 1 >> l) - 1));
            completed.Select(c => c.Node).ShouldBe(expected, $"leaf {i}");
            foreach (var (node, hash) in completed)
                hash.ShouldBe(NaiveMerkle.Mth(Leaves.Skip((int)node.Start).Take((int)node.Size).ToList()), $"{node}");
        }
    }

    [Fact]
    public void Root_equals_the_rfc_recursion_at_every_size()
    {
        var range = new CompactRange();
        range.Root().ShouldBe(Merkle.EmptyRoot);
        for (var i = 0; i < Leaves.Count; i++)
        {
            range.Append(Merkle.LeafHash(Leaves[i]));
            range.Size.ShouldBe(i + 1);
            range.Root().ShouldBe(NaiveMerkle.Mth(Leaves.Take(i + 1).ToList()), $"size {i + 1}");
        }
    }

    [Fact]
    public void The_right_edge_holds_the_hashes_of_the_decomposition_of_the_tree()
    {
        var tree = new StoredTree([]);
        var range = new CompactRange();
        foreach (var leaf in Leaves.Take(45))
        {
            tree.Append(leaf);
            range.Append(Merkle.LeafHash(leaf));
            range.RightEdge.ShouldBe(Merkle.Decompose(0, range.Size).Select(s => tree.HashOf(new LeafRange(s.Start, s.End))).ToList());
        }
    }

    [Fact]
    public void A_range_restored_from_its_right_edge_grows_like_the_original()
    {
        for (var size = 0; size <= 40; size++)
        {
            var original = new CompactRange();
            foreach (var leaf in Leaves.Take(size)) original.Append(Merkle.LeafHash(leaf));
            var restored = new CompactRange(size, original.RightEdge);
            restored.Size.ShouldBe(size);
            restored.Root().ShouldBe(original.Root());
            foreach (var leaf in Leaves.Skip(size).Take(20))
            {
                Hex(restored.Append(Merkle.LeafHash(leaf))).ShouldBe(Hex(original.Append(Merkle.LeafHash(leaf))), $"from {size}");
                restored.Root().ShouldBe(original.Root());
            }
        }
    }

    private static List<string> Hex(IEnumerable<(Subtree Node, byte[] Hash)> nodes) => nodes.Select(n => $"{n.Node} {Convert.ToHexStringLower(n.Hash)}").ToList();

    [Fact]
    public void Restoring_with_the_wrong_number_of_hashes_is_refused()
    {
        var hash = Merkle.LeafHash([1]);
        Should.Throw<ArgumentException>(() => new CompactRange(3, [hash]));
        Should.Throw<ArgumentException>(() => new CompactRange(4, [hash, hash]));
        Should.Throw<ArgumentException>(() => new CompactRange(0, [hash]));
        Should.Throw<ArgumentException>(() => new CompactRange(1, [hash[..31]]));
        Should.NotThrow(() => new CompactRange(3, [hash, hash]));
    }

    [Fact]
    public void The_right_edge_cannot_be_changed_from_outside()
    {
        var range = new CompactRange();
        range.Append(Merkle.LeafHash([1]));
        var before = range.Root();
        range.RightEdge[0][0] ^= 1;
        range.Root().ShouldBe(before);
    }
}
