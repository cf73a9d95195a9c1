using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Security;
using R2PTracker.Notifications.Subscriptions;

namespace R2PTracker.Notifications.Delivery;

/// <summary>What became of one attempt, as the policy needs it.</summary>
public sealed record AttemptOutcome(int? StatusCode, string? Error, bool CircuitOpen = false)
{
    /// <summary>The mail server took the message.</summary>
    public static readonly AttemptOutcome Sent = new(null, null);

    /// <summary>The endpoint's circuit is open: no request was made.</summary>
    public static readonly AttemptOutcome NotTried = new(null, null, CircuitOpen: true);

    public static AttemptOutcome Answered(int statusCode) => new(statusCode, statusCode is >= 200 and < 300 ? null : $"HTTP {statusCode}");

    public static AttemptOutcome Failed(string reason) => new(null, reason);
}

/// <summary>
/// The dispatcher's decisions, as pure functions: whether a delivery is still wanted, what an
/// attempt's outcome means for it, what the log may say of a failure, and when an endpoint that
/// keeps failing is disabled.
/// </summary>
public static class DeliveryPolicy
{
    /// <summary>The delivery settled without an attempt (its subscription is gone, disabled or unconfirmed), or null to attempt it.</summary>
    public static Delivery? Settled(Delivery delivery, Subscription? subscription)
    {
        if (subscription is null || subscription.Status == SubscriptionStatuses.Unsubscribed)
            return delivery with { Status = DeliveryStatuses.Cancelled, DeadReason = "The subscription was deleted or unsubscribed." };
        if (subscription.Status == SubscriptionStatuses.Disabled)
            return delivery with { Status = DeliveryStatuses.Dead, DeadReason = "The subscription is disabled: " + subscription.DisabledReason };
        if (subscription.Status == SubscriptionStatuses.PendingConfirmation && delivery.Type != EmailSender.ConfirmationType)
            return delivery with { Status = DeliveryStatuses.Cancelled, DeadReason = "The address is not confirmed." };
        return null;
    }

    /// <summary>
    /// The delivery after an attempt begun at <paramref name="startedAt"/>: delivered; or rescheduled
    /// after the next wait of the schedule; or dead once the schedule is spent. An open circuit
    /// postpones it by the break duration without counting as an attempt. Succeeded is null when
    /// nothing was learnt about the endpoint.
    /// </summary>
    public static (Delivery Updated, bool? Succeeded) After(
        Delivery delivery, AttemptOutcome outcome, DateTimeOffset startedAt, TimeSpan duration, DateTimeOffset now, DeliveryOptions options, Random random)
    {
        if (outcome.CircuitOpen) return (delivery with { NextAttemptAt = now + options.BreakDuration }, false);
        var number = delivery.Attempts.Count + 1;
        var attempts = delivery.Attempts.Append(new DeliveryAttempt(number, startedAt, (long)duration.TotalMilliseconds, outcome.StatusCode, outcome.Error)).ToList();
        if (outcome.Error is null)
            return (delivery with { Status = DeliveryStatuses.Delivered, Attempts = attempts, DeliveredAt = now }, true);
        return options.DelayAfter(number, random) is { } wait
            ? (delivery with { Attempts = attempts, NextAttemptAt = now + wait }, false)
            : (delivery with { Attempts = attempts, Status = DeliveryStatuses.Dead, DeadReason = $"All {number} attempts failed." }, false);
    }

    /// <summary>
    /// What the delivery log says of a failed attempt. The subscriber reads the log, so it never holds
    /// an exception's own text: that can name internal addresses (a refused connection) or carry the
    /// mail server's words. The service log keeps the details.
    /// </summary>
    public static string Describe(Exception failure, TimeSpan attemptTimeout)
    {
        if (failure is Polly.Timeout.TimeoutRejectedException) return $"Timed out after {attemptTimeout.TotalSeconds:0.#} s.";
        if (Find<AddressRefusedException>(failure) is not null) return UrlGuard.RefusedMessage;
        if (failure is SmtpCommandException) return "The mail server did not accept the message.";
        if (failure is SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
            || Find<System.Security.Authentication.AuthenticationException>(failure) is not null
            || (Find<SocketException>(failure) is not null && failure is not HttpRequestException))
            return "The mail server could not be reached.";
        if (failure is HttpRequestException) return Find<SocketException>(failure) is not null
            ? "The receiver could not be reached."
            : "The request to the receiver failed.";
        return "The attempt failed.";
    }

    /// <summary>
    /// The subscription after a batch of its outcomes, or null if it does not change: a success ends a
    /// failing streak; a failure starts one; a streak longer than <paramref name="disableAfter"/> disables it.
    /// </summary>
    public static Subscription? EndpointHealth(Subscription subscription, bool succeeded, DateTimeOffset now, TimeSpan disableAfter)
    {
        if (succeeded) return subscription.FailingSince is null ? null : subscription with { FailingSince = null };
        if (subscription.FailingSince is null) return subscription with { FailingSince = now };
        if (now - subscription.FailingSince >= disableAfter && subscription.Status == SubscriptionStatuses.Active)
            return subscription with
            {
                Status = SubscriptionStatuses.Disabled, DisabledAt = now,
                DisabledReason = $"Every delivery failed from {subscription.FailingSince:u} to {now:u}.",
            };
        return null;
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
