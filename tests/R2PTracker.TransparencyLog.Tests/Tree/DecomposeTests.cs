namespace R2PTracker.TransparencyLog.Tests.Tree;

public sealed class DecomposeTests
{
    [Theory]
    [InlineData(0, 13, "3:0 2:2 0:12")]
    [InlineData(5, 13, "0:5 1:3 2:2 0:12")]
    [InlineData(8, 16, "3:1")]
    [InlineData(3, 4, "0:3")]
    [InlineData(7, 7, "")]
    public void Decompose_takes_the_largest_aligned_subtree_that_fits_from_the_left(long start, long end, string expected) =>
        string.Join(' ', Merkle.Decompose(start, end).Select(s => $"{s.Level}:{s.Index}")).ShouldBe(expected);

    [Fact]
    public void Decomposition_covers_the_range_exactly_with_as_few_aligned_subtrees_as_possible()
    {
        for (long start = 0; start <= 70; start++)
            for (var end = start; end <= 70; end++)
            {
                var parts = Merkle.Decompose(start, end);
                var position = start;
                foreach (var s in parts)
                {
                    s.Start.ShouldBe(position);
                    (s.Start % s.Size).ShouldBe(0);
                    position = s.End;
                }
                position.ShouldBe(end);
                // Greedy is optimal: no two neighbours of one level could have been one parent.
                for (var i = 1; i < parts.Count; i++)
                    (parts[i - 1].Level == parts[i].Level && parts[i - 1].Index % 2 == 0).ShouldBeFalse($"[{start},{end})");
            }
    }

    [Fact]
    public void A_range_that_is_not_one_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Merkle.Decompose(5, 4));
        Should.Throw<ArgumentOutOfRangeException>(() => Merkle.Decompose(-1, 4));
    }

    [Fact]
    public void Fold_right_of_nothing_is_the_empty_root() =>
        Merkle.FoldRight([]).ShouldBe(Merkle.EmptyRoot);

    [Fact]
    public void Subtree_bounds_follow_level_and_index()
    {
        var s = new Subtree(3, 2);
        (s.Start, s.End).ShouldBe((16L, 24L));
    }
}
