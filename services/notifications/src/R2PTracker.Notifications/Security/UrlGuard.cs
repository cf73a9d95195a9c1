using System.Net;
using System.Net.Sockets;

namespace R2PTracker.Notifications.Security;

/// <summary>Configuration section "Webhooks": which address ranges a webhook may reach.</summary>
public sealed class WebhookNetworkOptions
{
    /// <summary>127.0.0.0/8 and ::1. Off by default; deploy/local and the tests turn it on.</summary>
    public bool AllowLoopback { get; set; }
    /// <summary>RFC 1918, CGNAT and unique-local (fc00::/7) ranges. Off by default.</summary>
    public bool AllowPrivateNetworks { get; set; }
}

/// <summary>
/// The SSRF guard: a webhook may only reach public addresses (plus loopback or private ranges when
/// configuration allows them). Link-local (169.254.0.0/16, where cloud metadata lives, and fe80::/10),
/// multicast, unspecified and reserved addresses are always refused. Checked at subscribe time on the
/// resolved addresses, and again at connect time on the address actually dialled, so a name that
/// re-resolves elsewhere later (DNS rebinding) is still refused.
/// </summary>
public sealed class UrlGuard(WebhookNetworkOptions options)
{
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Why the address may not be reached, or null if it may.</summary>
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
            if (b[0] == 192 && b[1] == 0 && b[2] == 0) return "a reserved address";
            if (b[0] == 198 && b[1] is 18 or 19) return "a reserved address";
            return null;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return "an unspecified address";
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal) return "a link-local address";
            if (address.IsIPv6Multicast) return "a multicast address";
            var b = address.GetAddressBytes();
            if ((b[0] & 0xfe) == 0xfc) return Private(); // fc00::/7, which holds fd00::/8 (and fd00:ec2::254, AWS metadata)
            // NAT64 (64:ff9b::/96) carries an IPv4 address: judge that one.
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].All(x => x == 0))
                return Refusal(new IPAddress(b[12..]));
            return null;
        }
        return "an address of an unknown family";

        string? Private() => options.AllowPrivateNetworks ? null : "a private-network address";
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
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return $"'url' host '{uri.Host}' cannot be resolved.";
            }
        }
        if (addresses.Length == 0) return $"'url' host '{uri.Host}' cannot be resolved.";
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } why) return $"'url' resolves to {why} ({address}), which webhooks may not reach.";
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
                throw new HttpRequestException($"Refused to connect to {host} ({address}): {why}.");
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
