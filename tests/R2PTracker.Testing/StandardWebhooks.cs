using System.Security.Cryptography;
using System.Text;

namespace R2PTracker.Testing;

/// <summary>
/// A verifier written from the Standard Webhooks specification, independent of the service's
/// signer: HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with base64-decoded secret after
/// "whsec_"; the header lists space-separated "v1,{base64}" signatures.
/// </summary>
public static class StandardWebhooks
{
    public static bool Verify(string secret, IReadOnlyDictionary<string, string> headers, string body, TimeSpan? tolerance = null)
    {
        if (!headers.TryGetValue("webhook-id", out var id) || !headers.TryGetValue("webhook-timestamp", out var ts)
            || !headers.TryGetValue("webhook-signature", out var signatures)) return false;
        if (!long.TryParse(ts, out var seconds)) return false;
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > (tolerance ?? TimeSpan.FromMinutes(5))) return false;

        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(id + "." + ts + "." + body));
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = candidate.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1"
                && CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(parts[1]))) return true;
        }
        return false;
    }
}
