using R2PTracker.Commitments.Feeds;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

/// <summary>The feeds' resources: every text in both languages, as the service loads them and as the files hold them.</summary>
public class FeedTextTests
{
    private static readonly ResourceTexts Texts =
        new(Path.Combine("services", "commitments", "src", "R2PTracker.Commitments", "Resources", "Feeds"), "FeedText");

    [Fact]
    public void Every_feed_text_has_its_english_and_its_khmer_resource_as_the_service_loads_them()
    {
        var english = FeedText.KeysOf("en");
        var khmer = FeedText.KeysOf("km");
        english.ShouldNotBeEmpty();
        english.Except(khmer).ShouldBeEmpty("texts without Khmer");
        khmer.Except(english).ShouldBeEmpty("Khmer texts without English");
    }

    [Fact]
    public void The_files_are_written_in_both_languages_with_the_same_placeholders()
    {
        Texts.HoldTheSameKeys();
        // Names and codes that read the same in both: the site's name in the feed titles.
        Texts.AreWrittenAndKhmerIsInKhmer("Feed.Pledge");
        Texts.FillTheSamePlaceholders();
    }

    [Fact]
    public void Every_status_is_named_as_the_dashboard_names_it_in_each_language() =>
        Texts.NameStatusesAsTheDashboard(Enum.GetNames<PledgeStatus>());
}
