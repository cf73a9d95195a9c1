using System.Numerics;
using System.Security.Cryptography;

namespace R2PTracker.TransparencyLog;

/// <summary>
/// The Merkle tree of RFC 9162 §2.1 (SHA-256, as RFC 6962). Proofs are described as leaf ranges
/// rather than hashes so that a caller holding stored perfect-subtree hashes can answer them:
/// every range in a proof is aligned so that its hash is <see cref="FoldRight"/> of the hashes of
/// <see cref="Decompose"/>(range).
/// </summary>
public static class Merkle
{
    public const int HashSize = 32;

    private static readonly byte[] Empty = SHA256.HashData([]);

    /// <summary>MTH({}) = SHA-256 of the empty string.</summary>
    public static byte[] EmptyRoot => Empty.ToArray();

    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        var input = new byte[1 + leaf.Length];
        input[0] = 0x00;
        leaf.CopyTo(input.AsSpan(1));
        return SHA256.HashData(input);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != HashSize || right.Length != HashSize)
            throw new ArgumentException($"node children must be {HashSize}-byte hashes");
        Span<byte> input = stackalloc byte[1 + 2 * HashSize];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>
    /// Splits [start, end) into the fewest aligned perfect subtrees, taking greedily from the left the
    /// largest one that starts at the current position and fits.
    /// </summary>
    public static IReadOnlyList<Subtree> Decompose(long start, long end)
    {
        if (start < 0 || end < start) throw new ArgumentOutOfRangeException(nameof(end), $"not a range: [{start}, {end})");
        var result = new List<Subtree>();
        while (start < end)
        {
            var fits = 63 - BitOperations.LeadingZeroCount((ulong)(end - start));
            var level = start == 0 ? fits : Math.Min(fits, BitOperations.TrailingZeroCount(start));
            result.Add(new Subtree(level, start >> level));
            start += 1L << level;
        }
        return result;
    }

    /// <summary>
    /// MTH of a range given the hashes of its decomposition, left to right. This equals the RFC's
    /// MTH whenever the subtrees shrink from left to right, as they do for every range of
    /// <see cref="InclusionProofRanges"/>, <see cref="ConsistencyProofRanges"/> and for [0, n).
    /// </summary>
    public static byte[] FoldRight(IReadOnlyList<byte[]> subtreeHashesLeftToRight)
    {
        if (subtreeHashesLeftToRight.Count == 0) return EmptyRoot;
        var hash = subtreeHashesLeftToRight[^1];
        for (var i = subtreeHashesLeftToRight.Count - 2; i >= 0; i--)
            hash = NodeHash(subtreeHashesLeftToRight[i], hash);
        return hash.ToArray();
    }

    /// <summary>RFC 9162 PATH(index, D[treeSize]) as ranges, the leaf's sibling first.</summary>
    public static IReadOnlyList<LeafRange> InclusionProofRanges(long index, long treeSize)
    {
        if (index < 0 || index >= treeSize) throw new ArgumentOutOfRangeException(nameof(index), $"leaf {index} is not in a tree of size {treeSize}");
        var fromRoot = new List<LeafRange>();
        long lo = 0, hi = treeSize;
        while (hi - lo > 1)
        {
            var split = lo + LargestPowerOfTwoBelow(hi - lo);
            if (index < split)
            {
                fromRoot.Add(new LeafRange(split, hi));
                hi = split;
            }
            else
            {
                fromRoot.Add(new LeafRange(lo, split));
                lo = split;
            }
        }
        fromRoot.Reverse();
        return fromRoot;
    }

    /// <summary>RFC 9162 PROOF(from, D[to]) = SUBPROOF(from, D[to], true) as ranges; empty when from is 0 or equals to.</summary>
    public static IReadOnlyList<LeafRange> ConsistencyProofRanges(long from, long to)
    {
        if (from < 0 || to < from) throw new ArgumentOutOfRangeException(nameof(from), $"no consistency proof from {from} to {to}");
        var fromRoot = new List<LeafRange>();
        if (from == 0 || from == to) return fromRoot;
        long lo = 0, hi = to;
        var wholeOldTree = true;
        while (from != hi)
        {
            var split = lo + LargestPowerOfTwoBelow(hi - lo);
            if (from <= split)
            {
                fromRoot.Add(new LeafRange(split, hi));
                hi = split;
            }
            else
            {
                fromRoot.Add(new LeafRange(lo, split));
                lo = split;
                wholeOldTree = false;
            }
        }
        // SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old tree's last subtree has to be given.
        if (!wholeOldTree) fromRoot.Add(new LeafRange(lo, hi));
        fromRoot.Reverse();
        return fromRoot;
    }

    /// <summary>RFC 9162 §2.1.3.2.</summary>
    public static bool VerifyInclusion(long index, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> rootHash)
    {
        if (index < 0 || index >= treeSize || leafHash.Length != HashSize || rootHash.Length != HashSize || !AllHashes(proof)) return false;
        var fn = index;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && rootHash.SequenceEqual(r);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2, plus the two cases the RFC leaves out: equal sizes need an empty proof and
    /// equal roots; from an empty tree the proof is empty and the old root must be the empty root.
    /// </summary>
    public static bool VerifyConsistency(long from, long to, ReadOnlySpan<byte> fromRoot, ReadOnlySpan<byte> toRoot, IReadOnlyList<byte[]> proof)
    {
        if (from < 0 || to < from || fromRoot.Length != HashSize || toRoot.Length != HashSize || !AllHashes(proof)) return false;
        if (from == to) return proof.Count == 0 && fromRoot.SequenceEqual(toRoot);
        if (from == 0) return proof.Count == 0 && fromRoot.SequenceEqual(Empty);
        if (proof.Count == 0) return false;

        var path = BitOperations.IsPow2(from) ? [fromRoot.ToArray(), .. proof] : proof;
        var fn = from - 1;
        var sn = to - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fromRoot.SequenceEqual(fr) && toRoot.SequenceEqual(sr);
    }

    /// <summary>MTH of leaves held in memory, for offline verification.</summary>
    public static byte[] RootOf(IReadOnlyList<byte[]> leafHashes)
    {
        var range = new CompactRange();
        foreach (var leaf in leafHashes) range.Append(leaf);
        return range.Root();
    }

    /// <summary>The k of RFC 9162: the largest power of two smaller than n (n &gt; 1).</summary>
    internal static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    private static bool AllHashes(IReadOnlyList<byte[]> proof) => proof is not null && proof.All(h => h is { Length: HashSize });
}
