using R2PTracker.Commitments.Feeds;
using R2PTracker.Commitments.Http;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

public class TextRulesTests
{
    [Theory]
    [InlineData("A\u0000B")]
    [InlineData("bell\u0007")]
    [InlineData("esc\u001b[31m")]
    [InlineData("del\u007f")]
    [InlineData("c1\u0085")]
    [InlineData("line\nbreak")]
    [InlineData("not\uffff")]
    [InlineData("lone-surrogate")]
    public void A_short_text_with_a_control_character_or_broken_unicode_is_refused(string text)
    {
        // (A lone surrogate does not survive xUnit's test-case data: it is made here.)
        if (text == "lone-surrogate") text = "half " + (char)0xD83D + " pair";
        var v = new Validation();
        v.OptionalText("title", text).ShouldBeNull();
        v.Errors.Keys.ShouldBe(["title"]);
    }

    [Theory]
    [InlineData("Two lines\nand a tab\there\r\n")]
    [InlineData("Khmer ព្រះរាជាណាចក្រកម្ពុជា and an emoji 🙂")]
    public void A_long_text_keeps_line_breaks_tabs_and_any_script(string text)
    {
        var v = new Validation();
        v.OptionalText("description", text, Validation.LongTextMax).ShouldBe(text);
        v.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void A_long_text_still_refuses_other_control_characters()
    {
        var v = new Validation();
        v.OptionalText("description", "a\u0000b", Validation.LongTextMax).ShouldBeNull();
        v.IsValid.ShouldBeFalse();
    }

    [Fact]
    public void Slugs_refuse_a_trailing_newline()
    {
        var v = new Validation();
        v.Slug("id", "focal-point\n").ShouldBeNull();
        v.Slug("id", "focal-point").ShouldBe("focal-point");
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("bell\u0007 and \u0000", "bell\ufffd and \ufffd")]
    [InlineData("whole 🙂 pair", "whole 🙂 pair")]
    public void Feed_text_replaces_what_xml_cannot_hold(string text, string expected) => PledgeFeeds.XmlText(text).ShouldBe(expected);

    [Fact]
    public void Feed_text_replaces_half_a_surrogate_pair() =>
        PledgeFeeds.XmlText("half " + (char)0xD83D + " pair").ShouldBe("half \ufffd pair");
}
