namespace R2PTracker.Notifications.Email;

/// <summary>Configuration section "Email". E-mail subscriptions are refused while SmtpHost is empty.</summary>
public sealed class EmailOptions
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

    public bool Enabled => !string.IsNullOrWhiteSpace(SmtpHost);
}
