using System.Net;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using R2PTracker.Notifications.Subscriptions;

namespace R2PTracker.Notifications.Email;

/// <summary>
/// Sends the confirmation mail and alerts through SMTP (MailKit). Every alert has a plain-text and an
/// HTML part and a one-click unsubscribe (RFC 8058 List-Unsubscribe + List-Unsubscribe-Post, and a link).
/// </summary>
public sealed class EmailSender(EmailOptions options)
{
    public const string ConfirmationType = "subscription.confirmation";
    public const string ConfirmPurpose = "confirm";
    public const string UnsubscribePurpose = "unsubscribe";

    /// <summary>The confirmation link, which works for Email:ConfirmLinkLifetime from the confirmation's request.</summary>
    public string ConfirmUrl(Subscription s) =>
        $"{options.PublicBaseUrl.TrimEnd('/')}/api/subscriptions/{s.Id}/confirm?token={Tokens.Expiring(s, ConfirmPurpose, ConfirmLinkExpiry(s))}";

    public DateTimeOffset ConfirmLinkExpiry(Subscription s) => (s.ConfirmationSentAt ?? s.CreatedAt) + options.ConfirmLinkLifetime;

    public string UnsubscribeUrl(Subscription s) =>
        $"{options.PublicBaseUrl.TrimEnd('/')}/api/subscriptions/{s.Id}/unsubscribe?token={Tokens.ForPurpose(s, UnsubscribePurpose)}";

    public MimeMessage Compose(Subscription subscription, Delivery.Delivery delivery)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(subscription.Email!));
        // A stable Message-Id: a resent copy of one delivery is recognisably the same mail.
        message.MessageId = $"{delivery.Id.Replace(':', '.')}@r2p-tracker";
        string subject, text, html;
        if (delivery.Type == ConfirmationType)
        {
            var link = ConfirmUrl(subscription);
            subject = "Confirm your R2P Tracker alerts";
            text = $"Someone (hopefully you) asked to receive R2P Tracker alerts at this address.\n\nConfirm here: {link}\n\nIf it was not you, ignore this mail: nothing will be sent.\n";
            html = $"<p>Someone (hopefully you) asked to receive R2P Tracker alerts at this address.</p><p><a href=\"{Enc(link)}\">Confirm your subscription</a></p><p>If it was not you, ignore this mail: nothing will be sent.</p>";
        }
        else
        {
            var unsubscribe = UnsubscribeUrl(subscription);
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            (subject, var lines) = Describe(delivery);
            text = string.Join('\n', lines) + $"\n\n--\nUnsubscribe: {unsubscribe}\n";
            html = string.Concat(lines.Select(l => $"<p>{Enc(l)}</p>")) + $"<hr><p><a href=\"{Enc(unsubscribe)}\">Unsubscribe</a></p>";
        }
        message.Subject = subject;
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(options.SmtpHost, options.SmtpPort, options.SecureSocketOptions, ct);
        if (!string.IsNullOrEmpty(options.UserName)) await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }

    private static (string Subject, List<string> Lines) Describe(Delivery.Delivery delivery)
    {
        var root = JsonDocument.Parse(delivery.Payload).RootElement;
        var data = root.GetProperty("data");
        string Get(string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var pledge = Get("pledgeId");
        return delivery.Type switch
        {
            "pledge.status_changed" => ($"R2P Tracker: {pledge} is now {Get("status")}",
                [$"Pledge {pledge} changed status from {Get("previousStatus")} to {Get("status")}.", $"Reason: {Get("reason")}", $"Recorded by {Get("recordedBy")}."]),
            "pledge.milestone_logged" => ($"R2P Tracker: milestone on {pledge}: {Get("title")}",
                [$"A milestone was logged on pledge {pledge}: {Get("title")} ({Get("occurredOn")}).", Get("description"), $"Recorded by {Get("recordedBy")}."]),
            "pledge.registered" => ($"R2P Tracker: new pledge {pledge}",
                [$"A new pledge was registered: {Get("title")}", $"Actor: {Get("actor")}, {Get("country")}.", $"Recorded by {Get("recordedBy")}."]),
            _ => ($"R2P Tracker: {delivery.Type} on {pledge}", [$"Event {delivery.Type} on pledge {pledge}."]),
        };
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
