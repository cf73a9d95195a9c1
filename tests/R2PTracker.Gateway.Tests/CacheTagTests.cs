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

public class RateLimitTests
{
    private static DefaultHttpContext Request(string method, string path, string? authorization = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        if (authorization is not null) http.Request.Headers.Authorization = authorization;
        return http;
    }

    [Fact]
    public void Staff_writes_are_not_counted_as_public_reads_but_anonymous_requests_are()
    {
        R2PTracker.Gateway.Proxy.RateLimits.IsStaffWrite(Request("POST", "/api/pledges/kh-r2p-1/status", "Bearer r2p_x")).ShouldBeTrue();
        R2PTracker.Gateway.Proxy.RateLimits.IsStaffWrite(Request("POST", "/api/pledges/kh-r2p-1/status")).ShouldBeFalse();
        // A credential does not lift the limit on reads.
        R2PTracker.Gateway.Proxy.RateLimits.IsStaffWrite(Request("GET", "/api/pledges", "Bearer r2p_x")).ShouldBeFalse();
        R2PTracker.Gateway.Proxy.RateLimits.IsStaffWrite(Request("POST", "/api/subscriptions", "Bearer r2pm_x")).ShouldBeFalse();
    }
}
