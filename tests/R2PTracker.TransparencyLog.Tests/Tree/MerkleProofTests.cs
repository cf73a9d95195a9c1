namespace R2PTracker.TransparencyLog.Tests.Tree;

/// <summary>The library's range-based proofs against the literal RFC 9162 recursion, and the verifiers against tampering.</summary>
public sealed class MerkleProofTests
{
    private const int Exhaustive = 64;
    private static readonly List<byte[]> Leaves = TestLeaves.Random(600, seed: 9162);
    private static readonly StoredTree Tree = new(Leaves);

    private static IReadOnlyList<byte[]> Prefix(int n) => Leaves.Take(n).ToList();

    public static IEnumerable<(int Index, int Size)> AllInclusionPairs() =>
        from size in Enumerable.Range(1, Exhaustive) from index in Enumerable.Range(0, size) select (index, size);

    public static IEnumerable<(int From, int To)> AllConsistencyPairs() =>
        from n in Enumerable.Range(0, Exhaustive + 1) from m in Enumerable.Range(0, n + 1) select (m, n);

    private static IEnumerable<(int A, int B)> RandomPairs(int seed, bool strict)
    {
        var random = new Random(seed);
        for (var i = 0; i < 60; i++)
        {
            var b = random.Next(Exhaustive + 1, Leaves.Count + 1);
            yield return (random.Next(0, strict ? b : b + 1), b);
        }
    }

    [Fact]
    public void Roots_equal_the_rfc_recursion_for_every_size()
    {
        for (var n = 0; n <= Leaves.Count; n += n < Exhaustive ? 1 : 37)
        {
            var expected = NaiveMerkle.Mth(Prefix(n));
            Tree.Root(n).ShouldBe(expected, $"size {n}");
            Merkle.RootOf(Prefix(n).Select(l => Merkle.LeafHash(l)).ToList()).ShouldBe(expected, $"size {n}");
        }
    }

    [Fact]
    public void Inclusion_proofs_equal_the_rfc_path_and_verify()
    {
        foreach (var (index, size) in AllInclusionPairs().Concat(RandomPairs(1, strict: true)))
        {
            var proof = Tree.InclusionProof(index, size);
            proof.ShouldBe(NaiveMerkle.Path(index, Prefix(size)), $"PATH({index}, D[{size}])");
            Merkle.VerifyInclusion(index, size, Merkle.LeafHash(Leaves[index]), proof, Tree.Root(size)).ShouldBeTrue($"({index}, {size})");
        }
    }

    [Fact]
    public void Consistency_proofs_equal_the_rfc_proof_and_verify()
    {
        foreach (var (from, to) in AllConsistencyPairs().Concat(RandomPairs(2, strict: false)))
        {
            var proof = Tree.ConsistencyProof(from, to);
            if (from > 0 && from < to) proof.ShouldBe(NaiveMerkle.Proof(from, Prefix(to)), $"PROOF({from}, D[{to}])");
            else proof.ShouldBeEmpty();
            Merkle.VerifyConsistency(from, to, Tree.Root(from), Tree.Root(to), proof).ShouldBeTrue($"({from}, {to})");
        }
    }

    [Fact]
    public void A_tampered_inclusion_proof_is_rejected()
    {
        foreach (var (index, size) in AllInclusionPairs().Where(p => p.Size <= 40).Concat(RandomPairs(3, strict: true)))
        {
            var proof = Tree.InclusionProof(index, size);
            var leaf = Merkle.LeafHash(Leaves[index]);
            var root = Tree.Root(size);
            bool Accepts(long i, long n, byte[] l, IReadOnlyList<byte[]> p, byte[] r) => Merkle.VerifyInclusion(i, n, l, p, r);
            var at = $"({index}, {size})";

            foreach (var tampered in Tampered(proof)) Accepts(index, size, leaf, tampered, root).ShouldBeFalse(at);
            Accepts(index, size, Flip(leaf), proof, root).ShouldBeFalse(at);
            Accepts(index, size, leaf, proof, Flip(root)).ShouldBeFalse(at);
            Accepts(index + 1, size, leaf, proof, root).ShouldBeFalse(at);
            Accepts(index - 1, size, leaf, proof, root).ShouldBeFalse(at);
            // A proof of another length is another shape of tree; one of the same shape can be a true proof
            // for a tree of that size (PATH(0, D[3]) computes exactly as PATH(0, D[4])), so only the former must fail.
            foreach (var wrongSize in new long[] { size + 1, size - 1, size * 2 }.Where(n => n <= index || Merkle.InclusionProofRanges(index, n).Count != proof.Count))
                Accepts(index, wrongSize, leaf, proof, root).ShouldBeFalse($"{at} as size {wrongSize}");
        }
    }

    [Fact]
    public void A_tampered_consistency_proof_is_rejected()
    {
        foreach (var (from, to) in AllConsistencyPairs().Where(p => p.To <= 40).Concat(RandomPairs(4, strict: false)))
        {
            var proof = Tree.ConsistencyProof(from, to);
            var (oldRoot, newRoot) = (Tree.Root(from), Tree.Root(to));
            bool Accepts(long m, long n, byte[] a, byte[] b, IReadOnlyList<byte[]> p) => Merkle.VerifyConsistency(m, n, a, b, p);
            var at = $"({from}, {to})";

            foreach (var tampered in Tampered(proof)) Accepts(from, to, oldRoot, newRoot, tampered).ShouldBeFalse(at);
            Accepts(from, to, Flip(oldRoot), newRoot, proof).ShouldBeFalse(at);
            // Any tree is consistent with the empty one, whatever its size and root.
            if (from == 0) continue;
            Accepts(from, to, oldRoot, Flip(newRoot), proof).ShouldBeFalse(at);
            // As for inclusion, only sizes that give proofs of another length must fail.
            var wrongSizes = new (long From, long To)[] { (from, to + 1), (from - 1, to), (from + 1, to), (from, to - 1), (from, to * 2) };
            foreach (var (m, n) in wrongSizes.Where(w => w.From > w.To || w.From < 1 || Merkle.ConsistencyProofRanges(w.From, w.To).Count != proof.Count))
                Accepts(m, n, oldRoot, newRoot, proof).ShouldBeFalse($"{at} as ({m}, {n})");
        }
    }

    [Fact]
    public void Proofs_are_refused_for_leaves_and_sizes_outside_the_tree()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Merkle.InclusionProofRanges(5, 5));
        Should.Throw<ArgumentOutOfRangeException>(() => Merkle.InclusionProofRanges(-1, 5));
        Should.Throw<ArgumentOutOfRangeException>(() => Merkle.ConsistencyProofRanges(6, 5));
        Merkle.VerifyInclusion(0, 0, Merkle.EmptyRoot, [], Merkle.EmptyRoot).ShouldBeFalse();
        Merkle.VerifyConsistency(6, 5, Tree.Root(6), Tree.Root(5), []).ShouldBeFalse();
    }

    [Fact]
    public void A_consistency_proof_from_the_empty_tree_needs_the_empty_root()
    {
        Merkle.VerifyConsistency(0, 5, Merkle.EmptyRoot, Tree.Root(5), []).ShouldBeTrue();
        Merkle.VerifyConsistency(0, 5, Tree.Root(1), Tree.Root(5), []).ShouldBeFalse();
    }

    [Fact]
    public void Hashes_of_the_wrong_length_are_rejected_rather_than_thrown_on()
    {
        var proof = Tree.InclusionProof(3, 10);
        Merkle.VerifyInclusion(3, 10, Merkle.LeafHash(Leaves[3]), [.. proof[..^1], proof[^1][..31]], Tree.Root(10)).ShouldBeFalse();
        Merkle.VerifyInclusion(3, 10, Merkle.LeafHash(Leaves[3])[..31], proof, Tree.Root(10)).ShouldBeFalse();
        Merkle.VerifyConsistency(3, 10, Tree.Root(3), Tree.Root(10)[..31], Tree.ConsistencyProof(3, 10)).ShouldBeFalse();
    }

    /// <summary>Each hash flipped in turn, the proof truncated, extended, and with its first two hashes swapped.</summary>
    private static IEnumerable<List<byte[]>> Tampered(List<byte[]> proof)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            var copy = proof.ToList();
            copy[i] = Flip(copy[i]);
            yield return copy;
        }
        if (proof.Count > 0) yield return proof[..^1];
        if (proof.Count > 0) yield return proof[1..];
        yield return [.. proof, Merkle.EmptyRoot];
        yield return [Merkle.EmptyRoot, .. proof];
        if (proof.Count > 1 && !proof[0].SequenceEqual(proof[1])) yield return [proof[1], proof[0], .. proof[2..]];
    }

    private static byte[] Flip(byte[] hash)
    {
        var copy = hash.ToArray();
        copy[^1] ^= 1;
        return copy;
    }
}
