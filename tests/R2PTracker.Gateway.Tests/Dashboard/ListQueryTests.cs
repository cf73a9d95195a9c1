using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using R2PTracker.Gateway.Dashboard;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

public class ListQueryTests
{
    private static ListQuery Parse(string query) => ListQuery.From(new QueryCollection(QueryHelpers.ParseQuery(query)));

    [Fact]
    public void Only_known_parameters_with_a_value_are_passed_on_and_an_axis_only_with_a_date()
    {
        var query = Parse("?q=svay+rieng&status=Kept&status=Broken&theme=&actor=&country=KH&overdue=&sort=title&limit=10&axis=occurred&debug=1&asOf=");
        query.PledgesPath("km").ShouldBe("/api/pledges?q=svay%20rieng&status=Kept&status=Broken&country=KH&sort=title&limit=10&lang=km");
        query.TalliesPath().ShouldBe("/api/tallies?q=svay%20rieng&status=Kept&status=Broken&country=KH");
        query.SeriesPath(new SeriesRange("2015", "2026-12-02", "month"))
            .ShouldBe("/api/tallies/series?q=svay%20rieng&status=Kept&status=Broken&country=KH&from=2015&to=2026-12-02&interval=month&axis=occurred");
    }

    [Fact]
    public void With_an_as_of_date_the_list_and_tallies_take_the_date_and_axis_and_the_series_the_axis()
    {
        var query = Parse("?asOf=2017-01-01&axis=recorded&overdue=true&cursor=abc");
        query.PledgesPath("en").ShouldBe("/api/pledges?overdue=true&asOf=2017-01-01&axis=recorded&cursor=abc&lang=en");
        query.TalliesPath().ShouldBe("/api/tallies?overdue=true&asOf=2017-01-01&axis=recorded");
        query.SeriesPath(new SeriesRange("2015", "2017-01-01", "month")).ShouldBe("/api/tallies/series?overdue=true&from=2015&to=2017-01-01&interval=month&axis=recorded");
    }

    [Fact]
    public void A_bad_value_is_passed_on_as_it_is_for_commitments_to_name()
    {
        Parse("?sort=sideways&limit=9999&status=Lost").PledgesPath("en").ShouldBe("/api/pledges?status=Lost&sort=sideways&limit=9999&lang=en");
    }

    [Fact]
    public void The_next_cursor_comes_from_the_link_header_and_page_links_keep_everything_else()
    {
        ListQuery.NextCursor("</api/pledges?theme=focal%20points&limit=2&cursor=eyJ9>; rel=\"next\"").ShouldBe("eyJ9");
        ListQuery.NextCursor(null).ShouldBeNull();
        ListQuery.NextCursor("</api/pledges?cursor=x>; rel=\"prev\"").ShouldBeNull();

        var query = Parse("?theme=focal+points&limit=2&sort=title&axis=occurred&cursor=old");
        query.PageLink("eyJ9").ShouldBe("/?theme=focal%20points&axis=occurred&sort=title&limit=2&cursor=eyJ9");
        query.PageLink(null).ShouldBe("/?theme=focal%20points&axis=occurred&sort=title&limit=2");
    }

    [Theory]
    [InlineData("2016", "2016-12-31")]
    [InlineData("2016-02", "2016-02-29")]
    [InlineData("2016-06-30", "2016-06-30")]
    [InlineData("២០១៦", "2016-12-31")]
    [InlineData("២០១៦-០២", "2016-02-29")]
    public void A_partial_as_of_date_means_its_last_day(string text, string day) =>
        SeriesRange.LastDayOf(text).ShouldBe(DateOnly.Parse(day));

    [Fact]
    public void The_chart_range_is_monthly_while_it_stays_small_and_coarser_beyond()
    {
        SeriesRange.For(2015, new DateOnly(2026, 12, 2)).ShouldBe(new SeriesRange("2015", "2026-12-02", "month"));
        SeriesRange.For(2005, new DateOnly(2026, 12, 2)).Interval.ShouldBe("quarter");
        SeriesRange.For(1900, new DateOnly(2026, 12, 2)).Interval.ShouldBe("year");
        SeriesRange.LastDayOf("yesterday").ShouldBeNull();
    }
}
