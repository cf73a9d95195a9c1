using R2PTracker.Commitments.Feeds;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

/// <summary>The feeds' resources: every text in both languages.</summary>
public class FeedTextTests
{
    [Fact]
    public void Every_feed_text_has_its_english_and_its_khmer_resource()
    {
        var english = FeedText.KeysOf("en");
        var khmer = FeedText.KeysOf("km");
        english.ShouldNotBeEmpty();
        english.Except(khmer).ShouldBeEmpty("texts without Khmer");
        khmer.Except(english).ShouldBeEmpty("Khmer texts without English");
        foreach (var status in Enum.GetValues<R2PTracker.Commitments.Pledges.PledgeStatus>())
            english.ShouldContain($"Status.{status}");
    }
}
