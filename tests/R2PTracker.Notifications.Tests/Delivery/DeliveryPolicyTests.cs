using System.Net.Sockets;
using MailKit.Net.Smtp;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Security;
using R2PTracker.Notifications.Subscriptions;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class DeliveryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly DeliveryOptions Options = new() { RetryDelays = "00:00:10,00:01:00", Jitter = 0.2, BreakDuration = TimeSpan.FromSeconds(30) };

    private static Notifications.Delivery.Delivery Pending(int attemptsMade = 0) => new()
    {
        Id = "e:s", Kind = SubscriptionKinds.Webhook, Type = "pledge.status_changed", Payload = "{}", Status = DeliveryStatuses.Pending,
        Attempts = Enumerable.Range(1, attemptsMade).Select(n => new DeliveryAttempt(n, Now.AddMinutes(-n), 5, 500, "HTTP 500")).ToList(),
    };

    private static Subscription Subscription(string status = SubscriptionStatuses.Active, DateTimeOffset? failingSince = null) => new()
    {
        Kind = SubscriptionKinds.Webhook, Url = "https://example.org/hook", Status = status, Secret = "whsec_x", ManageTokenHash = "h",
        FailingSince = failingSince,
    };

    private static (Notifications.Delivery.Delivery Updated, bool? Succeeded) After(Notifications.Delivery.Delivery d, AttemptOutcome outcome) =>
        DeliveryPolicy.After(d, outcome, Now, TimeSpan.FromMilliseconds(42), Now.AddSeconds(1), Options, new Random(7));

    [Fact]
    public void A_2xx_answer_delivers_and_records_the_attempt()
    {
        var (updated, succeeded) = After(Pending(), AttemptOutcome.Answered(204));
        succeeded.ShouldBe(true);
        updated.Status.ShouldBe(DeliveryStatuses.Delivered);
        updated.DeliveredAt.ShouldBe(Now.AddSeconds(1));
        updated.Attempts.ShouldHaveSingleItem().ShouldBe(new DeliveryAttempt(1, Now, 42, 204, null));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(404)]
    [InlineData(302)]
    public void Any_other_answer_is_a_failed_attempt_retried_after_the_next_wait_with_jitter(int status)
    {
        var (updated, succeeded) = After(Pending(), AttemptOutcome.Answered(status));
        succeeded.ShouldBe(false);
        updated.Status.ShouldBe(DeliveryStatuses.Pending);
        updated.Attempts.ShouldHaveSingleItem().Error.ShouldBe($"HTTP {status}");
        (updated.NextAttemptAt - Now.AddSeconds(1)).ShouldBeInRange(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
    }

    [Fact]
    public void The_second_failure_waits_the_second_delay()
    {
        var (updated, _) = After(Pending(attemptsMade: 1), AttemptOutcome.Failed("The receiver could not be reached."));
        (updated.NextAttemptAt - Now.AddSeconds(1)).ShouldBeInRange(TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));
        updated.Attempts.Count.ShouldBe(2);
    }

    [Fact]
    public void A_failure_once_the_schedule_is_spent_is_dead_with_its_reason()
    {
        var (updated, succeeded) = After(Pending(attemptsMade: 2), AttemptOutcome.Answered(503));
        succeeded.ShouldBe(false);
        updated.Status.ShouldBe(DeliveryStatuses.Dead);
        updated.DeadReason.ShouldBe("All 3 attempts failed.");
    }

    [Fact]
    public void An_open_circuit_postpones_by_the_break_without_spending_an_attempt()
    {
        var (updated, succeeded) = After(Pending(attemptsMade: 1), AttemptOutcome.NotTried);
        succeeded.ShouldBe(false);
        updated.Attempts.Count.ShouldBe(1);
        updated.Status.ShouldBe(DeliveryStatuses.Pending);
        updated.NextAttemptAt.ShouldBe(Now.AddSeconds(31));
    }

    [Fact]
    public void A_delivery_whose_subscription_is_gone_disabled_or_unconfirmed_is_settled_without_an_attempt()
    {
        DeliveryPolicy.Settled(Pending(), null).ShouldNotBeNull().Status.ShouldBe(DeliveryStatuses.Cancelled);
        DeliveryPolicy.Settled(Pending(), Subscription(SubscriptionStatuses.Unsubscribed))!.Status.ShouldBe(DeliveryStatuses.Cancelled);
        DeliveryPolicy.Settled(Pending(), Subscription(SubscriptionStatuses.Disabled))!.Status.ShouldBe(DeliveryStatuses.Dead);
        DeliveryPolicy.Settled(Pending(), Subscription(SubscriptionStatuses.PendingConfirmation))!.Status.ShouldBe(DeliveryStatuses.Cancelled);
        DeliveryPolicy.Settled(Pending() with { Type = EmailSender.ConfirmationType }, Subscription(SubscriptionStatuses.PendingConfirmation)).ShouldBeNull();
        DeliveryPolicy.Settled(Pending(), Subscription()).ShouldBeNull();
    }

    [Fact]
    public void A_success_ends_a_failing_streak_and_a_healthy_endpoint_needs_no_change()
    {
        DeliveryPolicy.EndpointHealth(Subscription(failingSince: Now.AddHours(-1)), true, Now, TimeSpan.FromDays(3))!.FailingSince.ShouldBeNull();
        DeliveryPolicy.EndpointHealth(Subscription(), true, Now, TimeSpan.FromDays(3)).ShouldBeNull();
    }

    [Fact]
    public void A_first_failure_starts_a_streak_and_a_streak_longer_than_the_threshold_disables_the_endpoint()
    {
        DeliveryPolicy.EndpointHealth(Subscription(), false, Now, TimeSpan.FromDays(3))!.FailingSince.ShouldBe(Now);
        DeliveryPolicy.EndpointHealth(Subscription(failingSince: Now.AddDays(-2)), false, Now, TimeSpan.FromDays(3)).ShouldBeNull();
        var disabled = DeliveryPolicy.EndpointHealth(Subscription(failingSince: Now.AddDays(-3)), false, Now, TimeSpan.FromDays(3))!;
        disabled.Status.ShouldBe(SubscriptionStatuses.Disabled);
        disabled.DisabledAt.ShouldBe(Now);
        disabled.DisabledReason!.ShouldContain("2026-11-29");
        DeliveryPolicy.EndpointHealth(Subscription(SubscriptionStatuses.Unsubscribed, Now.AddDays(-4)), false, Now, TimeSpan.FromDays(3)).ShouldBeNull();
    }

    [Fact]
    public void The_log_describes_failures_without_the_exception_s_own_words()
    {
        var refused = new HttpRequestException("Refused (10.1.2.3:80)", new AddressRefusedException());
        DeliveryPolicy.Describe(refused, TimeSpan.FromSeconds(5)).ShouldBe(UrlGuard.RefusedMessage);
        var unreachable = new HttpRequestException("Connection refused (10.1.2.3:80)", new SocketException((int)SocketError.ConnectionRefused));
        DeliveryPolicy.Describe(unreachable, TimeSpan.FromSeconds(5)).ShouldBe("The receiver could not be reached.");
        var smtp = new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, "5.1.1 <x@internal.corp> unknown user at mx1.internal.corp");
        DeliveryPolicy.Describe(smtp, TimeSpan.FromSeconds(5)).ShouldBe("The mail server did not accept the message.");
        DeliveryPolicy.Describe(new SocketException((int)SocketError.HostUnreachable), TimeSpan.FromSeconds(5)).ShouldBe("The mail server could not be reached.");
        DeliveryPolicy.Describe(new Polly.Timeout.TimeoutRejectedException(), TimeSpan.FromSeconds(5)).ShouldBe("Timed out after 5 s.");
        DeliveryPolicy.Describe(new InvalidOperationException("secret internals"), TimeSpan.FromSeconds(5)).ShouldNotContain("secret");
    }
}
