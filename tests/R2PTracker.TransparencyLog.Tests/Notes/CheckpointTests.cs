namespace R2PTracker.TransparencyLog.Tests.Notes;

public sealed class CheckpointTests
{
    private const string SpecExample = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    [Fact]
    public void The_spec_example_parses_and_formats_back()
    {
        var checkpoint = Checkpoint.Parse(SpecExample);
        checkpoint.Origin.ShouldBe("example.com/behind-the-sofa");
        checkpoint.TreeSize.ShouldBe(20852163);
        checkpoint.RootHash.ShouldBe(Convert.FromBase64String("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
        checkpoint.Extensions.ShouldBeEmpty();
        checkpoint.Format().ShouldBe(SpecExample);
    }

    [Fact]
    public void Extension_lines_are_kept_in_order()
    {
        var text = SpecExample + "ext one\next two\n";
        var checkpoint = Checkpoint.Parse(text);
        checkpoint.Extensions.ShouldBe(["ext one", "ext two"]);
        checkpoint.Format().ShouldBe(text);
    }

    [Fact]
    public void The_empty_tree_has_size_zero()
    {
        var empty = new Checkpoint("log", 0, Merkle.EmptyRoot);
        Checkpoint.Parse(empty.Format()).ShouldBe(empty);
        empty.Format().ShouldStartWith("log\n0\n");
    }

    [Fact]
    public void Checkpoints_are_equal_when_their_contents_are()
    {
        var a = Checkpoint.Parse(SpecExample + "x\n");
        var b = Checkpoint.Parse(SpecExample + "x\n");
        a.ShouldBe(b);
        a.GetHashCode().ShouldBe(b.GetHashCode());
        a.ShouldNotBe(a with { RootHash = Merkle.EmptyRoot });
        a.ShouldNotBe(a with { Extensions = [] });
        a.ShouldNotBe(a with { TreeSize = 1 });
    }

    [Theory]
    [InlineData("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")]
    [InlineData("example.com/behind-the-sofa\n20852163\n")]
    [InlineData("\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n00\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n\u0661\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n99999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n")]
    [InlineData("example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n")]
    [InlineData("example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n")]
    [InlineData("example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n")]
    [InlineData("example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n")]
    [InlineData("example.com/behind\tthe-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")]
    [InlineData("")]
    public void Malformed_checkpoints_are_refused(string text) =>
        Should.Throw<FormatException>(() => Checkpoint.Parse(text));

    [Fact]
    public void A_checkpoint_that_could_not_be_parsed_back_is_not_formatted()
    {
        Should.Throw<InvalidOperationException>(() => new Checkpoint("", 1, Merkle.EmptyRoot).Format());
        Should.Throw<InvalidOperationException>(() => new Checkpoint("a\nb", 1, Merkle.EmptyRoot).Format());
        Should.Throw<InvalidOperationException>(() => new Checkpoint("a", -1, Merkle.EmptyRoot).Format());
        Should.Throw<InvalidOperationException>(() => new Checkpoint("a", 1, new byte[31]).Format());
        Should.Throw<InvalidOperationException>(() => new Checkpoint("a", 1, Merkle.EmptyRoot, [""]).Format());
    }
}
