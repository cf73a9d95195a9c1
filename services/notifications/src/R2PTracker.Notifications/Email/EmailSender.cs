using System.Globalization;
using System.Net;
using System.Text.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Localization;
using MimeKit;
using R2PTracker.Notifications.Subscriptions;

namespace R2PTracker.Notifications.Email;

/// <summary>
/// Sends the confirmation mail and alerts through SMTP (MailKit). Every alert has a plain-text and an
/// HTML part and a one-click unsubscribe (RFC 8058 List-Unsubscribe + List-Unsubscribe-Post, and a link).
/// Mails are in the subscriber's language (<see cref="EmailText"/>), name a pledge by its title in that
/// language and link to its page on the dashboard.
/// </summary>
public sealed class EmailSender(EmailOptions options, IStringLocalizer<EmailText> t)
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

    /// <summary>A pledge's page on the dashboard, in the subscriber's language (English is the dashboard's default).</summary>
    public string PledgeUrl(string pledgeId, string language) =>
        $"{options.PublicBaseUrl.TrimEnd('/')}/pledges/{Uri.EscapeDataString(pledgeId)}"
        + (language == SubscriptionLanguages.English ? "" : $"?lang={language}");

    /// <summary>The mail for one delivery, in the subscriber's language (Content-Language and the HTML's lang say which).</summary>
    public MimeMessage Compose(Subscription subscription, Delivery.Delivery delivery)
    {
        var language = SubscriptionLanguages.IsLanguage(subscription.Language) ? subscription.Language : SubscriptionLanguages.Default;
        // The localiser reads the current UI culture; this thread is the dispatcher's, so it is set for this mail only.
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        try
        {
            return Compose(subscription, delivery, language);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private MimeMessage Compose(Subscription subscription, Delivery.Delivery delivery, string language)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(subscription.Email!));
        // A stable Message-Id: a resent copy of one delivery is recognisably the same mail.
        message.MessageId = $"{delivery.Id.Replace(':', '.')}@r2p-tracker";
        message.Headers.Add(HeaderId.ContentLanguage, language);
        string subject;
        List<Line> lines;
        if (delivery.Type == ConfirmationType)
        {
            subject = t["Confirm.Subject"];
            lines = [new(t["Confirm.Intro"]), .. Followed(delivery, language), Line.Link(t["Confirm.Link"], t["Confirm.LinkLabel"], ConfirmUrl(subscription)),
                new(t["Confirm.Ignore"])];
        }
        else
        {
            var unsubscribe = UnsubscribeUrl(subscription);
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            (subject, lines) = Describe(delivery, language);
            lines.Add(Line.Rule);
            lines.Add(Line.Link(t["Unsubscribe"], t["UnsubscribeLabel"], unsubscribe));
        }
        message.Subject = subject;
        var text = string.Join("\n\n", lines.Select(l => l.Text)) + "\n";
        var html = $"<!DOCTYPE html><html lang=\"{language}\"><head><meta charset=\"utf-8\"><title>{Enc(subject)}</title></head><body>"
                   + string.Concat(lines.Select(l => l.Html)) + "</body></html>";
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        foreach (var part in message.BodyParts) part.Headers.Replace(HeaderId.ContentLanguage, language);
        return message;
    }

    /// <summary>The pledges a confirmation's subscription follows (<see cref="ConfirmationPayload"/>), each named and linked.</summary>
    private IEnumerable<Line> Followed(Delivery.Delivery delivery, string language)
    {
        var root = JsonDocument.Parse(delivery.Payload).RootElement;
        if (!root.TryGetProperty("pledges", out var pledges) || pledges.GetArrayLength() == 0) yield break;
        yield return new(t["Confirm.Pledges"]);
        foreach (var pledge in pledges.EnumerateArray())
        {
            var id = pledge.GetProperty("id").GetString()!;
            var title = TitleIn(pledge.TryGetProperty("titles", out var titles) ? titles : default, language) ?? id;
            yield return Line.Named(title, PledgeUrl(id, language));
        }
        if (root.TryGetProperty("more", out var more) && more.GetInt32() > 0) yield return new(t["Confirm.More", more.GetInt32()]);
    }

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        // The trace of the change the mail announces, for an operator following one alert end to end.
        if (System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C, Id: { } traceParent })
            message.Headers.Replace(ServiceDefaults.Telemetry.TraceParentHeader, traceParent);
        using var client = new SmtpClient();
        await client.ConnectAsync(options.SmtpHost, options.SmtpPort, options.SecureSocketOptions, ct);
        if (!string.IsNullOrEmpty(options.UserName)) await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }

    private (string Subject, List<Line> Lines) Describe(Delivery.Delivery delivery, string language)
    {
        var root = JsonDocument.Parse(delivery.Payload).RootElement;
        var data = root.GetProperty("data");
        string Get(string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var pledgeId = Get("pledgeId");
        // By its title in the subscriber's language, else the original; the id only if notifications never heard of the pledge.
        var pledge = TitleIn(data.TryGetProperty("titles", out var titles) ? titles : default, language) ?? pledgeId;
        var link = Line.Link(t["PledgeLink"], t["PledgeLinkLabel"], PledgeUrl(pledgeId, language));
        var recordedBy = new Line(t["RecordedBy", Get("recordedBy")]);
        return delivery.Type switch
        {
            "pledge.status_changed" => (t["Status.Subject", pledge, Status(Get("status"))],
                [new(t["Status.Changed", pledge, Status(Get("previousStatus")), Status(Get("status"))]), new(t["Status.Reason", Get("reason")]), recordedBy, link]),
            "pledge.milestone_logged" => (t["Milestone.Subject", pledge, Get("title")],
                [new(t["Milestone.Logged", pledge, Get("title"), Get("occurredOn")]), new(Get("description")), recordedBy, link]),
            "proposal.opened" => (t["Proposal.Subject", pledge, Status(Get("status"))],
                [new(t["Proposal.Opened", pledge, Get("proposedBy"), Status(Get("previousStatus")), Status(Get("status"))]), new(t["Status.Reason", Get("reason")]),
                 new(t["Proposal.Review"]), link]),
            "pledge.registered" => (t["Registered.Subject", pledge],
                [new(t["Registered.Line", pledge]), new(t["Registered.Actor", Get("actor"), Get("country")]), recordedBy, link]),
            "submission.received" => (t["Submission.Subject", pledge],
                [new(t["Submission.Line", pledge]), Line.Link(t["Submission.Queue"], t["Submission.QueueLabel"], $"{options.PublicBaseUrl.TrimEnd('/')}/submissions"), link]),
            _ => (t["Other.Subject", delivery.Type, pledge], [new(t["Other.Line", delivery.Type, pledge]), link]),
        };
    }

    /// <summary>A status's name as the dashboard gives it in this language; an unknown one as it is.</summary>
    private string Status(string status) => EmailText.Statuses.Contains(status) ? t["Status." + status] : status;

    /// <summary>From a payload's <c>titles</c>: the one in <paramref name="language"/>, else the original ("und"); null if there are none.</summary>
    private static string? TitleIn(JsonElement titles, string language)
    {
        if (titles.ValueKind != JsonValueKind.Object) return null;
        foreach (var key in new[] { language, Pledges.PledgeProfile.OriginalLanguage })
            if (titles.TryGetProperty(key, out var title) && title.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(title.GetString()))
                return title.GetString();
        return null;
    }

    /// <summary>A paragraph of a mail, as plain text and as HTML (a link is written out in the text part).</summary>
    private sealed record Line(string Text, string Html)
    {
        public Line(string text) : this(text, $"<p>{Enc(text)}</p>") { }

        public static readonly Line Rule = new("--", "<hr>");

        /// <param name="textFormat">The plain-text sentence, {0} the address.</param>
        public static Line Link(string textFormat, string label, string href) =>
            new(string.Format(CultureInfo.InvariantCulture, textFormat, href), $"<p><a href=\"{Enc(href)}\">{Enc(label)}</a></p>");

        public static Line Named(string title, string href) => new($"- {title}: {href}", $"<p><a href=\"{Enc(href)}\">{Enc(title)}</a></p>");
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
