using System.Net;
using Microsoft.AspNetCore.Http;
using R2PTracker.Notifications.Subscriptions;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class ClientAddressTests
{
    private static readonly ClientAddress Clients = new(new ForwardedHeadersOptions { KnownNetworks = "127.0.0.0/8,10.0.0.0/8" });

    private static HttpContext Request(string peer, string? forwardedFor)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor is not null) http.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return http;
    }

    [Theory]
    [InlineData("127.0.0.1", "198.51.100.7", "198.51.100.7")]
    [InlineData("10.1.2.3", "1.2.3.4, 198.51.100.7", "198.51.100.7")] // the gateway's entry is the last
    [InlineData("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7")]
    [InlineData("198.51.100.9", "1.2.3.4", "198.51.100.9")] // not a known proxy: its header is not believed
    [InlineData("127.0.0.1", null, "127.0.0.1")]
    [InlineData("127.0.0.1", "not an address", "127.0.0.1")]
    public void The_client_is_the_forwarded_address_only_from_a_known_proxy(string peer, string? forwardedFor, string client) =>
        Clients.Of(Request(peer, forwardedFor)).ShouldBe(client);
}
