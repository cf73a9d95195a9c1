namespace R2PTracker.TransparencyLog.Tests.Tree;

/// <summary>Published RFC 6962 answers (certificate-transparency / transparency-dev reference tests).</summary>
public sealed class MerkleKnownAnswerTests
{
    private static readonly StoredTree Tree = new(TestLeaves.CertificateTransparency);

    private static string[] Hex(IEnumerable<byte[]> hashes) => hashes.Select(Convert.ToHexStringLower).ToArray();

    [Fact]
    public void Roots_of_the_reference_leaves_are_the_published_ones()
    {
        for (var n = 0; n <= 8; n++)
        {
            var leafHashes = TestLeaves.CertificateTransparency.Take(n).Select(l => Merkle.LeafHash(l)).ToList();
            Convert.ToHexStringLower(Merkle.RootOf(leafHashes)).ShouldBe(TestLeaves.CertificateTransparencyRoots[n], $"size {n}");
        }
    }

    [Fact]
    public void The_empty_root_is_the_hash_of_nothing() =>
        Convert.ToHexStringLower(Merkle.EmptyRoot).ShouldBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    [Theory]
    [InlineData(0, 8, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(5, 8, new[] { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    public void Inclusion_proofs_of_the_reference_tree_are_the_published_ones(long index, long size, string[] expected)
    {
        var proof = Tree.InclusionProof(index, size);
        Hex(proof).ShouldBe(expected);
        Merkle.VerifyInclusion(index, size, Merkle.LeafHash(TestLeaves.CertificateTransparency[index]), proof,
            Convert.FromHexString(TestLeaves.CertificateTransparencyRoots[size])).ShouldBeTrue();
    }

    [Theory]
    [InlineData(1, 8, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(6, 8, new[] { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    [InlineData(2, 5, new[] { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" })]
    public void Consistency_proofs_of_the_reference_tree_are_the_published_ones(long from, long to, string[] expected)
    {
        var proof = Tree.ConsistencyProof(from, to);
        Hex(proof).ShouldBe(expected);
        Merkle.VerifyConsistency(from, to, Convert.FromHexString(TestLeaves.CertificateTransparencyRoots[from]),
            Convert.FromHexString(TestLeaves.CertificateTransparencyRoots[to]), proof).ShouldBeTrue();
    }
}
