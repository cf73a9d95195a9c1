using System.Net;
using R2PTracker.Notifications.Hosting;

namespace R2PTracker.Notifications.Subscriptions;

/// <summary>
/// Configuration section "ForwardedHeaders": the proxies (the gateway) whose X-Forwarded-For names the
/// client. Anyone else could write any X-Forwarded-For, so from them the connection's own address counts.
/// </summary>
public sealed class ForwardedHeadersOptions : IValidatedOptions
{
    /// <summary>
    /// Comma-separated CIDR networks. By default loopback and the private ranges: the gateway on the
    /// same host (deploy/local) or on the same private network (compose, Kubernetes), whose YARP sets
    /// X-Forwarded-For. A machine inside those networks could write its own header; it is inside already.
    /// </summary>
    public string KnownNetworks { get; set; } = DefaultNetworks;

    public const string DefaultNetworks = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

    public IReadOnlyList<IPNetwork> Networks() =>
        KnownNetworks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IPNetwork.Parse).ToList();

    public IEnumerable<string> Problems()
    {
        foreach (var n in KnownNetworks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!IPNetwork.TryParse(n, out _)) yield return $"KnownNetworks: '{n}' is not a CIDR network.";
    }
}

/// <summary>Who is asking: the client the gateway forwards for, or the connection's peer.</summary>
public sealed class ClientAddress(ForwardedHeadersOptions options)
{
    private readonly IReadOnlyList<IPNetwork> _trusted = options.Networks();

    public string Of(HttpContext http)
    {
        var peer = http.Connection.RemoteIpAddress;
        if (peer is { IsIPv4MappedToIPv6: true }) peer = peer.MapToIPv4();
        if (peer is not null && _trusted.Any(n => n.Contains(peer))
            && http.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded)
        {
            // The gateway's entry is the last one; any before it were written by the client itself.
            var last = forwarded.Split(',')[^1].Trim();
            if (IPAddress.TryParse(last, out var client)) return (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();
        }
        return peer?.ToString() ?? "unknown";
    }
}
