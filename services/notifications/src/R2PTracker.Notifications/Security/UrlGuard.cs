using System.Net;
using System.Net.Sockets;
using R2PTracker.Notifications.Webhooks;

namespace R2PTracker.Notifications.Security;

/// <summary>A connection the guard refused; its message names no address (the service log does).</summary>
public sealed class AddressRefusedException() : HttpRequestException(UrlGuard.RefusedMessage);

/// <summary>
/// The SSRF guard: a webhook may only reach public addresses (plus loopback or private ranges when
/// configuration allows them). Link-local (169.254.0.0/16, where cloud metadata lives, and fe80::/10),
/// multicast, unspecified, reserved and documentation addresses are always refused, and so are the
/// IPv6 forms that carry or reach an IPv4 address the guard cannot see: IPv4-compatible (::a.b.c.d),
/// Teredo (2001::/32) and local-use NAT64 (64:ff9b:1::/48); 6to4 (2002::/16) and well-known NAT64
/// (64:ff9b::/96) are judged by the IPv4 address they embed. Checked at subscribe time on the resolved
/// addresses, and again at connect time on the address actually dialled, so a name that re-resolves
/// elsewhere later (DNS rebinding) is still refused. What a subscriber is told names no address: an
/// answer that says "that name is 10.1.2.3" maps the inside of the network for whoever asks.
/// </summary>
public sealed class UrlGuard(WebhookOptions options, ILogger<UrlGuard>? logger = null)
{
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
    public const string RefusedMessage = "The destination is not an address webhooks may reach.";
    public const string RefusedUrl = "'url' leads to an address webhooks may not reach (only public internet addresses are allowed).";

    /// <summary>Why the address may not be reached (for the service log), or null if it may.</summary>
    public string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return options.AllowLoopback ? null : "a loopback address";
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            if (b[0] == 169 && b[1] == 254) return "a link-local or cloud-metadata address";
            if (b[0] == 0) return "an unspecified address";
            if (b[0] >= 224) return "a multicast or reserved address";
            if (b[0] == 100 && b[1] is >= 64 and < 128) return Private();
            if (b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and < 32) || (b[0] == 192 && b[1] == 168)) return Private();
            if (b[0] == 192 && b[1] == 0 && b[2] == 0) return "a reserved address (IETF protocol assignments)";
            if (b[0] == 198 && b[1] is 18 or 19) return "a reserved address (benchmarking)";
            if ((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113))
                return "a documentation address";
            return null;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return "an unspecified address";
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal) return "a link-local address";
            if (address.IsIPv6Multicast) return "a multicast address";
            var b = address.GetAddressBytes();
            if ((b[0] & 0xfe) == 0xfc) return Private(); // fc00::/7, which holds fd00::/8 (and fd00:ec2::254, AWS metadata)
            // ::a.b.c.d (deprecated IPv4-compatible; ::1 and :: are handled above): some stacks still dial the IPv4 address.
            if (b[..12].All(x => x == 0)) return "an IPv4-compatible address";
            // 64:ff9b::/96, well-known NAT64, carries an IPv4 address: judge that one.
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].All(x => x == 0))
                return Embedded(new IPAddress(b[12..]));
            // 64:ff9b:1::/48, local-use NAT64 (RFC 8215): translated inside the operator's own network.
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1) return "a local-use NAT64 address";
            // 2002::/16, 6to4: the next 32 bits are the IPv4 address it is relayed to.
            if (b[0] == 0x20 && b[1] == 0x02) return Embedded(new IPAddress(b[2..6]));
            // 2001::/32, Teredo: tunnelled through a relay to an (obfuscated) IPv4 address the guard cannot judge.
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return "a Teredo address";
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "a documentation address";
            if (b[0] == 0x01 && b[1..8].All(x => x == 0)) return "a discard-only address"; // 100::/64
            return null;
        }
        return "an address of an unknown family";

        string? Private() => options.AllowPrivateNetworks ? null : "a private-network address";

        // Loopback reached through a translator is the translator's own, never the local receiver: always refused.
        string? Embedded(IPAddress v4) => IPAddress.IsLoopback(v4) ? "an embedded loopback address"
            : Refusal(v4) is { } why ? "an address embedding " + why : null;
    }

    /// <summary>Subscribe-time check of a webhook URL: its form, then every address its host resolves to.</summary>
    public async Task<string?> CheckUrlAsync(string url, CancellationToken ct)
    {
        if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "'url' must be an absolute http or https URL.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "'url' must not carry credentials.";

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost, out var literal)) addresses = [literal];
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(ResolveTimeout);
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or ArgumentException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return "'url' has a host name that cannot be resolved.";
            }
        }
        if (addresses.Length == 0) return "'url' has a host name that cannot be resolved.";
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } why)
            {
                logger?.LogWarning("Refused webhook URL host {Host}: it resolves to {Address}, {Why}", uri.Host, address, why);
                return RefusedUrl;
            }
        }
        return null;
    }

    /// <summary>
    /// A SocketsHttpHandler.ConnectCallback: resolves the host, refuses if any address is not allowed,
    /// and connects to the checked address itself, so no second resolution can slip in.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } why)
            {
                logger?.LogWarning("Refused to connect to {Host} ({Address}): {Why}", host, address, why);
                throw new AddressRefusedException();
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
