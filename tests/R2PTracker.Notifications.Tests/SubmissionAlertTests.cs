using R2PTracker.Contracts;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

/// <summary>submission.received: a staff alert that a subscription gets only by asking for it, and that carries nothing submitted.</summary>
public class SubmissionAlertTests
{
    private static readonly SubmissionReceived Received = new(
        Guid.NewGuid(), "kh-r2p-1", 1, "2026-12-04", DateTimeOffset.UnixEpoch, "public", Guid.NewGuid(), 2);

    [Fact]
    public void Only_a_subscription_that_lists_submission_received_gets_it()
    {
        new SubscriptionFilter().Matches(Received, "submission.received", null).ShouldBeFalse("a subscription to every type wants the public record");
        new SubscriptionFilter { PledgeIds = ["kh-r2p-1"] }.Matches(Received, "submission.received", null).ShouldBeFalse();
        new SubscriptionFilter { EventTypes = ["submission.received"] }.Matches(Received, "submission.received", null).ShouldBeTrue();
        new SubscriptionFilter().Matches(Received, "pledge.status_changed", null).ShouldBeTrue();
    }

    [Fact]
    public void Its_payload_names_the_pledge_and_the_submission_and_nothing_submitted()
    {
        var json = WebhookPayload.From(Received).ToJson();
        json.ShouldContain("\"type\":\"submission.received\"");
        json.ShouldContain("\"pledgeId\":\"kh-r2p-1\"");
        json.ShouldContain($"\"submissionId\":\"{Received.SubmissionId}\"");
        foreach (var field in new[] { "text", "email", "name", "links\"" }) json.ShouldNotContain($"\"{field}");
    }
}
