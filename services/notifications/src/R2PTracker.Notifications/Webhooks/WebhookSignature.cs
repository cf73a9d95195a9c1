using System.Security.Cryptography;
using System.Text;

namespace R2PTracker.Notifications.Webhooks;

/// <summary>
/// Standard Webhooks signing: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}" with the
/// base64-decoded part of the "whsec_" secret, sent as "v1,{base64 signature}".
/// </summary>
public static class WebhookSignature
{
    public const string Prefix = "whsec_";

    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);
        var signature = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(signature);
    }
}
