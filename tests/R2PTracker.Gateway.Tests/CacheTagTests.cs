using Microsoft.AspNetCore.Http;
using R2PTracker.Gateway.Caching;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

public class CacheTagTests
{
    [Theory]
    [InlineData("/api/pledges/kh-r2p-1", "kh-r2p-1")]
    [InlineData("/api/pledges/kh-r2p-1/timeline", "kh-r2p-1")]
    [InlineData("/pledges/kh-r2p-focal-point", "kh-r2p-focal-point")]
    [InlineData("/feeds/pledges/kh-r2p-4.atom", "kh-r2p-4")]
    [InlineData("/api/pledges", null)]
    [InlineData("/api/tallies", null)]
    [InlineData("/feeds/pledges.atom", null)]
    [InlineData("/", null)]
    public void Each_cached_page_is_tagged_by_the_pledge_it_shows(string path, string? pledgeId) =>
        CachePolicies.PledgeIdOf(new PathString(path)).ShouldBe(pledgeId);
}
