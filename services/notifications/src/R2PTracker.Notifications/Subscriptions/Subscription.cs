using R2PTracker.Contracts;

namespace R2PTracker.Notifications.Subscriptions;

public static class SubscriptionKinds
{
    public const string Webhook = "webhook";
    public const string Email = "email";
}

public static class SubscriptionStatuses
{
    /// <summary>Receives alerts.</summary>
    public const string Active = "active";
    /// <summary>An e-mail subscription whose address has not been confirmed yet: nothing is sent to it but the confirmation.</summary>
    public const string PendingConfirmation = "pending-confirmation";
    /// <summary>An endpoint that kept failing for longer than Delivery:DisableAfter.</summary>
    public const string Disabled = "disabled";
    /// <summary>An e-mail subscriber who unsubscribed.</summary>
    public const string Unsubscribed = "unsubscribed";
}

/// <summary>
/// Which events a subscription wants. Every criterion given must match (AND); within a list any value
/// matches (OR); a criterion left out matches everything. Country (ISO 3166-1 alpha-2) and actor compare
/// case-insensitively with the pledge's profile.
/// </summary>
public sealed record SubscriptionFilter
{
    public IReadOnlyList<string>? PledgeIds { get; init; }
    public string? Country { get; init; }
    public string? Actor { get; init; }
    public IReadOnlyList<string>? EventTypes { get; init; }

    public bool NeedsPledgeProfile => Country is not null || Actor is not null;

    /// <summary>Event types a subscription gets only when it lists them: staff alerts, which a subscription to "everything" does not want.</summary>
    public static readonly string[] OptIn = ["submission.received"];

    public bool Matches(IPledgeIntegrationEvent e, string eventType, Pledges.PledgeProfile? profile) =>
        (PledgeIds is not { Count: > 0 } ids || ids.Contains(e.PledgeId))
        && (EventTypes is { Count: > 0 } types ? types.Contains(eventType) : !OptIn.Contains(eventType))
        && (Country is null || string.Equals(Country, profile?.Country, StringComparison.OrdinalIgnoreCase))
        && (Actor is null || string.Equals(Actor, profile?.Actor, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A subscriber's standing request for alerts, stored as a Marten document.</summary>
public sealed record Subscription
{
    public Guid Id { get; init; }
    public required string Kind { get; init; }
    public string? Url { get; init; }
    /// <summary>Lower-cased e-mail address (e-mail subscriptions).</summary>
    public string? Email { get; init; }
    public SubscriptionFilter Filter { get; init; } = new();
    public required string Status { get; init; }
    /// <summary>
    /// The language of an e-mail subscriber's mails (<see cref="SubscriptionLanguages"/>). Subscriptions stored
    /// before there was a choice have none in their document and read as English.
    /// </summary>
    public string Language { get; init; } = SubscriptionLanguages.Default;

    /// <summary>A webhook's destination host (lower case), for the cap per host.</summary>
    public string? Host { get; init; }
    /// <summary>SHA-256 (hex) of the address of the client that made it, for the cap per client.</summary>
    public string? ClientKey { get; init; }

    /// <summary>
    /// The signing secret (whsec_…). Webhook subscribers are shown it once; for e-mail subscriptions it
    /// stays internal and keys the confirmation and unsubscribe tokens.
    /// </summary>
    public required string Secret { get; init; }
    /// <summary>During a rotation the previous secret also signs, until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; init; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    /// <summary>SHA-256 (hex) of the manage token; the token itself is shown once.</summary>
    public required string ManageTokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ConfirmationSentAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }

    /// <summary>Start of the current run of failed deliveries; cleared by a success.</summary>
    public DateTimeOffset? FailingSince { get; init; }
    public DateTimeOffset? DisabledAt { get; init; }
    public string? DisabledReason { get; init; }

    public string Target => Kind == SubscriptionKinds.Email ? Email! : Url!;

    /// <summary>
    /// A subscription covers changes recorded from the moment it became active: its creation for a
    /// webhook, its confirmation for e-mail. A change recorded earlier but forwarded late (RabbitMQ was
    /// down, or simply busy) is not sent to it.
    /// </summary>
    public bool Covers(IPledgeIntegrationEvent e) => e.RecordedAt >= (ConfirmedAt ?? CreatedAt);

    public IEnumerable<string> SigningSecrets(DateTimeOffset now)
    {
        yield return Secret;
        if (PreviousSecret is not null && PreviousSecretExpiresAt > now) yield return PreviousSecret;
    }
}
