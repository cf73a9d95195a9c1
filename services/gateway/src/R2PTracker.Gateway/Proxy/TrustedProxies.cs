using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace R2PTracker.Gateway.Proxy;

/// <summary>
/// Behind an Ingress or load balancer the gateway sees the proxy's address, not the client's. When
/// the proxies are named (ForwardedHeaders:KnownNetworks, CIDR, and/or ForwardedHeaders:KnownProxies,
/// addresses, comma-separated), X-Forwarded-For and X-Forwarded-Proto from them are believed: the
/// per-client rate limits and the sign-in limiter count the real client, and a request that came in
/// over HTTPS gets a Secure staff cookie. Without that setting nothing is believed (not even from
/// loopback, ASP.NET's default), so no client can choose its own address with a header.
/// </summary>
public static class TrustedProxies
{
    public static void AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var networks = List(configuration["ForwardedHeaders:KnownNetworks"]).Select(System.Net.IPNetwork.Parse).ToList();
        var proxies = List(configuration["ForwardedHeaders:KnownProxies"]).Select(IPAddress.Parse).ToList();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
            foreach (var proxy in proxies) o.KnownProxies.Add(proxy);
            // One proxy in front: the client is the last address it appended.
            o.ForwardLimit = 1;
        });
    }

    /// <summary>First in the pipeline, so that everything after sees the client's address and scheme.</summary>
    public static void UseTrustedProxies(this WebApplication app) => app.UseForwardedHeaders();

    private static IEnumerable<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
