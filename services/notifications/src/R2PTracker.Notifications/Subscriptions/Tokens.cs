using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace R2PTracker.Notifications.Subscriptions;

public enum TokenCheck { Valid, Expired, Invalid }

/// <summary>
/// Tokens given to subscribers. The manage token is random and only its hash is stored. The e-mail
/// confirmation and unsubscribe tokens are HMACs of the subscription id keyed with its internal secret,
/// so nothing needs storing and a link works exactly for its own subscription. A confirmation token
/// also carries its expiry time, under the HMAC; an unsubscribe token never expires (RFC 8058: the
/// link in an old mail must still work).
/// </summary>
public static class Tokens
{
    public const string ManageTokenPrefix = "r2pm_";

    public static string NewManageToken() => ManageTokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool MatchesHash(string? token, string hash) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(hash));

    public static string ForPurpose(Subscription subscription, string purpose) => Base64Url(Mac(subscription, $"{purpose}:{subscription.Id:N}"));

    public static bool VerifyPurpose(Subscription subscription, string purpose, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(ForPurpose(subscription, purpose)), Encoding.ASCII.GetBytes(token));

    /// <summary>A token valid until <paramref name="expiresAt"/>: its 8-byte Unix time, then the HMAC over purpose, id and that time.</summary>
    public static string Expiring(Subscription subscription, string purpose, DateTimeOffset expiresAt)
    {
        var bytes = new byte[8 + 32];
        var seconds = expiresAt.ToUnixTimeSeconds();
        BinaryPrimitives.WriteInt64BigEndian(bytes, seconds);
        Mac(subscription, $"{purpose}:{subscription.Id:N}:{seconds}").CopyTo(bytes, 8);
        return Base64Url(bytes);
    }

    public static TokenCheck VerifyExpiring(Subscription subscription, string purpose, string? token, DateTimeOffset now)
    {
        if (token is null || token.Length > 64) return TokenCheck.Invalid;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/').PadRight((token.Length + 3) / 4 * 4, '='));
        }
        catch (FormatException)
        {
            return TokenCheck.Invalid;
        }
        if (bytes.Length != 40) return TokenCheck.Invalid;
        var seconds = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (!CryptographicOperations.FixedTimeEquals(bytes.AsSpan(8), Mac(subscription, $"{purpose}:{subscription.Id:N}:{seconds}")))
            return TokenCheck.Invalid;
        return now.ToUnixTimeSeconds() < seconds ? TokenCheck.Valid : TokenCheck.Expired;
    }

    private static byte[] Mac(Subscription subscription, string message) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(subscription.Secret), Encoding.UTF8.GetBytes(message));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
