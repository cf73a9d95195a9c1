using System.Net;
using Marten;
using MassTransit;
using MimeKit;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Email;

namespace R2PTracker.Notifications.Submissions;

/// <summary>A new public submission in the moderation queue: an alert to the subscriptions that list <c>submission.received</c>.</summary>
public sealed class SubmissionReceivedConsumer(FanOut fanOut) : IConsumer<SubmissionReceived>
{
    public Task Consume(ConsumeContext<SubmissionReceived> context) => fanOut.RecordAsync(context.Message, false, context.CancellationToken);
}

/// <summary>
/// The two mails a submitter who gave an address gets: the confirmation (its link, through the gateway, confirms the
/// submission) and the verdict. Sent once per message (a <see cref="FannedOutEvent"/> marks it; a crash between the
/// sending and the mark sends it again, never loses it). The address is used for the mail and kept nowhere here;
/// confirmation mails count against the same per-mailbox limits as the subscriptions' (<see cref="ConfirmationLedger"/>).
/// The mails are in English: a submission does not say its sender's language.
/// </summary>
public sealed class SubmitterMail(IDocumentStore store, EmailOptions options, EmailSender sender, TimeProvider clock, ILogger<SubmitterMail> logger)
{
    public const string ConfirmationType = "submission.confirmation";
    public const string VerdictType = "submission.verdict";

    public string ConfirmUrl(SubmissionConfirmationRequested m) =>
        $"{options.PublicBaseUrl.TrimEnd('/')}/api/submissions/{m.SubmissionId}/confirmation?token={Uri.EscapeDataString(m.Token)}";

    public async Task ConfirmAsync(SubmissionConfirmationRequested m, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (!options.Enabled || await session.LoadAsync<FannedOutEvent>(m.EventId, ct) is not null) return;
        var now = clock.GetUtcNow();
        var key = Mailbox.HashedKey(m.Email);
        var ledger = await session.LoadAsync<ConfirmationLedger>(key, ct) ?? new ConfirmationLedger { Id = key };
        if (ledger.Refusal(now, options) is { } refusal)
        {
            logger.LogWarning("No confirmation mail for submission {SubmissionId}: {Reason}", m.SubmissionId, refusal.Reason);
        }
        else
        {
            await sender.SendAsync(Compose(m.EventId, m.Email, "Confirm your submission to R2P Tracker",
            [
                $"Someone (hopefully you) sent evidence about a pledge to R2P Tracker ({PledgeUrl(m.PledgeId)}) and gave this address.",
                "It will go to the editors once you confirm it here:",
                ConfirmUrl(m),
                "Your address is never published; it is kept only to tell you whether the editors accepted your submission.",
                "If it was not you, ignore this mail: the submission will not be considered.",
            ]), ct);
            session.Store(ledger.Sent(now));
        }
        session.Store(new FannedOutEvent { Id = m.EventId, Type = ConfirmationType, Deliveries = 1, At = now });
        await session.SaveChangesAsync(ct);
    }

    public async Task VerdictAsync(SubmissionModerated m, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (!options.Enabled || await session.LoadAsync<FannedOutEvent>(m.EventId, ct) is not null) return;
        string[] lines = m.Verdict == "accepted"
            ? [$"Thank you: the editors accepted your submission about {PledgeUrl(m.PledgeId)}. It is now part of the pledge's public record."]
            : [$"The editors did not accept your submission about {PledgeUrl(m.PledgeId)}.", $"Their reason: {m.Reason}"];
        await sender.SendAsync(Compose(m.EventId, m.Email, m.Verdict == "accepted" ? "Your submission was accepted" : "Your submission was not accepted",
            [.. lines, "This is the last mail about it: your address has now been deleted."]), ct);
        session.Store(new FannedOutEvent { Id = m.EventId, Type = VerdictType, Deliveries = 1, At = clock.GetUtcNow() });
        await session.SaveChangesAsync(ct);
    }

    private string PledgeUrl(string pledgeId) => sender.PledgeUrl(pledgeId, Subscriptions.SubscriptionLanguages.English);

    private MimeMessage Compose(Guid id, string to, string subject, IReadOnlyList<string> lines)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.MessageId = $"{id:N}@r2p-tracker";
        message.Subject = subject;
        message.Headers.Add(HeaderId.ContentLanguage, "en");
        message.Body = new BodyBuilder
        {
            TextBody = string.Join("\n\n", lines) + "\n",
            HtmlBody = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(subject) + "</title></head><body>"
                       + string.Concat(lines.Select(l => l.StartsWith("http", StringComparison.Ordinal)
                           ? $"<p><a href=\"{WebUtility.HtmlEncode(l)}\">{WebUtility.HtmlEncode(l)}</a></p>"
                           : $"<p>{WebUtility.HtmlEncode(l)}</p>"))
                       + "</body></html>",
        }.ToMessageBody();
        return message;
    }
}

public sealed class SubmissionConfirmationRequestedConsumer(SubmitterMail mail) : IConsumer<SubmissionConfirmationRequested>
{
    public Task Consume(ConsumeContext<SubmissionConfirmationRequested> context) => mail.ConfirmAsync(context.Message, context.CancellationToken);
}

public sealed class SubmissionModeratedConsumer(SubmitterMail mail) : IConsumer<SubmissionModerated>
{
    public Task Consume(ConsumeContext<SubmissionModerated> context) => mail.VerdictAsync(context.Message, context.CancellationToken);
}
