using R2PTracker.Gateway.ApiDescription;
using Shouldly;

namespace R2PTracker.Gateway.Tests.ApiDescription;

/// <summary>Which route of the proxy takes a described operation (as the proxy's configuration has them).</summary>
public class PublicRouteTests
{
    private static PublicRoute Route(string id, string path, string[]? methods = null, int order = 0) =>
        new(id, "commitments", path, methods, order, null, null);

    private static readonly PublicRoute[] Log =
    [
        Route("log-proofs", "/api/log/{**rest}", ["GET", "HEAD"]),
        Route("log-heads", "/api/log/{name:regex(^(checkpoint|witnesses|key)$)}", ["GET", "HEAD"]),
        Route("log-cosignatures", "/api/log/cosignatures", ["POST"]),
    ];

    [Theory]
    [InlineData("/api/log/key", "get", "log-heads")]
    [InlineData("/api/log/checkpoint", "head", "log-heads")]
    [InlineData("/api/log/proof/inclusion", "get", "log-proofs")]
    [InlineData("/api/log/entries", "get", "log-proofs")]
    [InlineData("/api/log/cosignatures", "post", "log-cosignatures")]
    public void The_most_specific_route_that_forwards_the_method_takes_the_operation(string path, string method, string route) =>
        PublicRoute.Taking(Log, path, method)!.RouteId.ShouldBe(route);

    [Theory]
    [InlineData("/api/log/entries", "post")]
    [InlineData("/api/logs", "get")]
    [InlineData("/api", "get")]
    public void An_operation_no_route_forwards_is_taken_by_none(string path, string method) =>
        PublicRoute.Taking(Log, path, method).ShouldBeNull();

    [Fact]
    public void A_lower_order_wins_and_a_catch_all_takes_the_bare_prefix_and_template_segments()
    {
        PublicRoute[] routes = [Route("subscriptions", "/api/subscriptions/{**rest}", order: 1), Route("subscribe", "/api/subscriptions", ["POST"])];

        PublicRoute.Taking(routes, "/api/subscriptions", "post")!.RouteId.ShouldBe("subscribe");
        PublicRoute.Taking(routes, "/api/subscriptions/{id}/rotate-secret", "post")!.RouteId.ShouldBe("subscriptions");
        PublicRoute.Taking([Route("feeds", "/feeds/{**rest}")], "/feeds/pledges/{id}.atom", "get")!.RouteId.ShouldBe("feeds");
        PublicRoute.Taking([Route("one", "/api/pledges/{id}")], "/api/pledges/{id}/history", "get").ShouldBeNull();
    }
}
