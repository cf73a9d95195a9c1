using MailKit.Security;
using R2PTracker.Notifications.Hosting;

namespace R2PTracker.Notifications.Email;

/// <summary>Configuration section "Email". E-mail subscriptions are refused while SmtpHost is empty.</summary>
public sealed class EmailOptions : IValidatedOptions
{
    public string SmtpHost { get; set; } = "";
    public int SmtpPort { get; set; } = 25;
    /// <summary>None | StartTls | SslOnConnect | Auto (MailKit's SecureSocketOptions).</summary>
    public string Security { get; set; } = "StartTls";
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "R2P Tracker <alerts@r2p-tracker.invalid>";
    /// <summary>The gateway's public address, under which confirmation and unsubscribe links are built.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>At most one confirmation mail per mailbox within this time.</summary>
    public TimeSpan ConfirmationInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>At most this many confirmation mails per mailbox in any 24 hours.</summary>
    public int MaxConfirmationsPerDay { get; set; } = 3;
    /// <summary>How long a confirmation link works.</summary>
    public TimeSpan ConfirmLinkLifetime { get; set; } = TimeSpan.FromDays(2);
    /// <summary>A subscription still unconfirmed this long after it was made is deleted.</summary>
    public TimeSpan UnconfirmedLifetime { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often unconfirmed subscriptions past their lifetime are looked for.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(SmtpHost);

    public SecureSocketOptions SecureSocketOptions => Enum.Parse<SecureSocketOptions>(Security, true);

    public IEnumerable<string> Problems()
    {
        if (!Enum.TryParse<SecureSocketOptions>(Security, true, out _))
            yield return "Security must be None, StartTls, SslOnConnect or Auto.";
        if (SmtpPort is < 1 or > 65535) yield return "SmtpPort must be a TCP port.";
        if (!MimeKit.MailboxAddress.TryParse(From, out _)) yield return "From must be a mailbox (Name <address@example.org>).";
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            yield return "PublicBaseUrl must be an absolute http(s) URL.";
        if (ConfirmationInterval < TimeSpan.Zero) yield return "ConfirmationInterval must not be negative.";
        if (MaxConfirmationsPerDay < 1) yield return "MaxConfirmationsPerDay must be at least 1.";
        if (ConfirmLinkLifetime <= TimeSpan.Zero) yield return "ConfirmLinkLifetime must be positive.";
        // A link must not outlive the subscription it confirms.
        if (UnconfirmedLifetime < ConfirmLinkLifetime) yield return "UnconfirmedLifetime must be at least ConfirmLinkLifetime.";
        if (PurgeInterval <= TimeSpan.Zero) yield return "PurgeInterval must be positive.";
    }
}
