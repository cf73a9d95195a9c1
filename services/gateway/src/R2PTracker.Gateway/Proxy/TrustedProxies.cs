using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

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
    public static void AddTrustedProxies(this IServiceCollection services)
    {
        services.AddSettings<TrustedProxyOptions>(TrustedProxyOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((o, trusted) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var network in trusted.Value.Networks()) o.KnownIPNetworks.Add(network);
            foreach (var proxy in trusted.Value.Proxies()) o.KnownProxies.Add(proxy);
            // One proxy in front: the client is the last address it appended.
            o.ForwardLimit = 1;
        });
    }

    /// <summary>First in the pipeline, so that everything after sees the client's address and scheme.</summary>
    public static void UseTrustedProxies(this WebApplication app) => app.UseForwardedHeaders();

    /// <summary>The client's address as the per-client limits count it.</summary>
    public static string ClientKey(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
