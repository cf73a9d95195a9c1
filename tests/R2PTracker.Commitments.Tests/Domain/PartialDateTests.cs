using R2PTracker.Commitments.Pledges;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

public class PartialDateTests
{
    [Theory]
    [InlineData("2016", "2016-01-01", "2016-12-31")]
    [InlineData("2019-12", "2019-12-01", "2019-12-31")]
    [InlineData("2024-02", "2024-02-01", "2024-02-29")]
    [InlineData("2023-09-16", "2023-09-16", "2023-09-16")]
    public void A_partial_date_covers_the_span_its_precision_allows(string text, string earliest, string latest)
    {
        var date = PartialDate.Parse(text);
        date.Earliest.ShouldBe(DateOnly.Parse(earliest));
        date.Latest.ShouldBe(DateOnly.Parse(latest));
        date.ToString().ShouldBe(text);
    }

    [Theory]
    [InlineData("២០១៦", "2016")]
    [InlineData("២០១៩-១២", "2019-12")]
    [InlineData("២០២៣-០៩-១៦", "2023-09-16")]
    [InlineData("2019-១២", "2019-12")]
    public void Khmer_digits_are_read_as_the_same_date_and_it_is_kept_in_ASCII(string text, string ascii)
    {
        PartialDate.TryParse(text, out var date).ShouldBeTrue(text);
        date.ShouldBe(PartialDate.Parse(ascii));
        date.ToString().ShouldBe(ascii);
    }

    [Theory]
    [InlineData("")]
    [InlineData("16")]
    [InlineData("2019-13")]
    [InlineData("2019-02-30")]
    [InlineData("2019-1")]
    [InlineData("2019-12-00")]
    [InlineData("2019/12/01")]
    [InlineData(" 2019")]
    [InlineData("2016\n")]
    [InlineData("2016-01\n")]
    [InlineData("٢٠٢٠")]
    [InlineData("２０２０")]
    [InlineData("2019-١٢")]
    [InlineData("២០១៩-១៣")]
    [InlineData("២០១៦\n")]
    public void Malformed_dates_are_refused(string text) => PartialDate.TryParse(text, out _).ShouldBeFalse();
}
