using System.Security.Cryptography;
using System.Text;

namespace R2PTracker.Notifications.Subscriptions;

/// <summary>
/// Tokens given to subscribers. The manage token is random and only its hash is stored. The e-mail
/// confirmation and unsubscribe tokens are HMACs of the subscription id keyed with its internal secret,
/// so nothing needs storing and a link works exactly for its own subscription.
/// </summary>
public static class Tokens
{
    public const string ManageTokenPrefix = "r2pm_";

    public static string NewManageToken() => ManageTokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool MatchesHash(string? token, string hash) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(hash));

    public static string ForPurpose(Subscription subscription, string purpose) =>
        Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(subscription.Secret), Encoding.UTF8.GetBytes($"{purpose}:{subscription.Id:N}")));

    public static bool VerifyPurpose(Subscription subscription, string purpose, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(ForPurpose(subscription, purpose)), Encoding.ASCII.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
