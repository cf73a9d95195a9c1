namespace R2PTracker.Notifications.Email;

/// <summary>
/// The confirmation mails sent to one mailbox in the last day, keyed by <see cref="Mailbox.HashedKey"/>.
/// Kept apart from subscriptions, so deleting a subscription does not reset the count.
/// </summary>
public sealed record ConfirmationLedger
{
    public required string Id { get; init; }
    public IReadOnlyList<DateTimeOffset> SentAt { get; init; } = [];
    public DateTimeOffset LastSentAt { get; init; }

    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    /// <summary>Why no confirmation may be sent now and when one may, or null if one may now.</summary>
    public (string Reason, DateTimeOffset NotBefore)? Refusal(DateTimeOffset now, EmailOptions options)
    {
        var recent = SentAt.Where(t => t > now - Window).Order().ToList();
        if (recent.Count > 0 && recent[^1] > now - options.ConfirmationInterval)
            return ("A confirmation mail was sent to this address a moment ago. Check the inbox, or try again later.",
                recent[^1] + options.ConfirmationInterval);
        if (recent.Count >= options.MaxConfirmationsPerDay)
            return ($"This address has had {options.MaxConfirmationsPerDay} confirmation mails in the last 24 hours; try again later.",
                recent[^options.MaxConfirmationsPerDay] + Window);
        return null;
    }

    public ConfirmationLedger Sent(DateTimeOffset now) => this with
    {
        SentAt = SentAt.Where(t => t > now - Window).Append(now).ToList(),
        LastSentAt = now,
    };
}
