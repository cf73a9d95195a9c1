using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace R2PTracker.Notifications.Email;

/// <summary>
/// Which addresses reach the same inbox, for the limits on confirmation mails (never for sending:
/// mail goes to the address as given). Over-merging only makes the limits stricter for one person;
/// under-merging lets one inbox be flooded, so the key errs on the side of merging:
/// <list type="bullet">
/// <item>the domain without case, trailing dots or Unicode (IDNA A-label): <c>X.ORG.</c> = <c>x.org</c>;</item>
/// <item>a quoted local part unquoted: <c>"v"@x.org</c> = <c>v@x.org</c>;</item>
/// <item>a <c>+tag</c> dropped: <c>v+1@x.org</c> = <c>v@x.org</c> (sub-addressing, RFC 5233, which most providers honour);</item>
/// <item>the local part without case (RFC 5321 allows case to matter; no common provider lets it);</item>
/// <item>for Gmail only (<c>gmail.com</c>, <c>googlemail.com</c>, which are one domain), dots dropped:
/// Gmail ignores them, and elsewhere they are significant (<c>a.b@x.org</c> and <c>ab@x.org</c> may be two people).</item>
/// </list>
/// </summary>
public static class Mailbox
{
    private static readonly IdnMapping Idn = new();

    public static string CanonicalKey(string address)
    {
        var at = address.LastIndexOf('@');
        var local = address[..at].Trim();
        var domain = address[(at + 1)..].Trim().TrimEnd('.').ToLowerInvariant();
        try
        {
            domain = Idn.GetAscii(domain);
        }
        catch (ArgumentException)
        {
            // Not a valid IDN: keep the lower-cased form, which is still a stable key.
        }
        if (local.Length >= 2 && local[0] == '"' && local[^1] == '"') local = Unquote(local[1..^1]);
        var plus = local.IndexOf('+');
        if (plus > 0) local = local[..plus];
        local = local.ToLowerInvariant();
        if (domain is "gmail.com" or "googlemail.com")
        {
            local = local.Replace(".", "");
            domain = "gmail.com";
        }
        return $"{local}@{domain}";
    }

    /// <summary>The key as stored: a SHA-256, so the ledger of confirmation mails holds no address.</summary>
    public static string HashedKey(string address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalKey(address))));

    private static string Unquote(string quoted)
    {
        var sb = new StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length) i++;
            sb.Append(quoted[i]);
        }
        return sb.ToString();
    }
}
