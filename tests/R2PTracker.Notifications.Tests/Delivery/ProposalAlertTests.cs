using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Contracts;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

/// <summary>Two-person review: subscribers hear of the verdict, not of its proposal, unless they asked for proposal.opened.</summary>
public class ProposalAlertTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PledgeStatusProposed Proposed(string pledgeId) => new(
        Guid.NewGuid(), pledgeId, 2, "2026-12-04", DateTimeOffset.UtcNow, "Sokha Proposer", "proposal-2", "NotYetRated", "Broken",
        "No focal point was named", [new EvidenceLink("CICP report", "https://cicp.org.kh", null)]);

    [Fact]
    public async Task A_proposal_alerts_only_subscriptions_that_listed_proposal_opened_and_its_verdict_alerts_the_others()
    {
        await using var everything = await WebhookReceiver.StartAsync();
        await using var desk = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        await app.SubscribeAsync(new { kind = "webhook", url = everything.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        await app.SubscribeAsync(new
        {
            kind = "webhook", url = desk.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId }, eventTypes = new[] { "proposal.opened" } },
        }, Ct);

        var proposal = Proposed(pledgeId);
        await app.PublishAsync(proposal, Ct);
        var opened = await TestEnvironment.Eventually(() => Task.FromResult(desk.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the proposal.opened webhook");
        var payload = JsonDocument.Parse(opened.Body).RootElement;
        payload.GetProperty("type").GetString().ShouldBe("proposal.opened");
        payload.GetProperty("data").GetProperty("proposalId").GetString().ShouldBe("proposal-2");
        payload.GetProperty("data").GetProperty("status").GetString().ShouldBe("Broken");
        payload.GetProperty("data").GetProperty("proposedBy").GetString().ShouldBe("Sokha Proposer");

        // The verdict, once approved, reaches the subscription that follows everything; a marker shows the proposal did not.
        var verdict = Events.StatusChanged(pledgeId, "Broken") with { StreamVersion = 3 };
        await app.PublishAsync(verdict, Ct);
        await TestEnvironment.Eventually(() => Task.FromResult(everything.Received.FirstOrDefault(r => r.WebhookId == verdict.EventId.ToString())),
            TimeSpan.FromSeconds(30), "the verdict's webhook");
        everything.Received.ShouldNotContain(r => r.WebhookId == proposal.EventId.ToString());
        everything.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()).ShouldBe(["pledge.status_changed"]);
        desk.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_unknown_event_type_in_a_filter_is_refused_and_proposal_opened_is_accepted()
    {
        var refused = await app.Client().PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = "https://example.org/hook", filter = new { eventTypes = new[] { "proposal.approved" } } }, Ct);
        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("proposal.opened");
    }
}
