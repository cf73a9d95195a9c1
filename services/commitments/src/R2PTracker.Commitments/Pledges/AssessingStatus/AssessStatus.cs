using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.AssessingStatus;

public record AssessStatusRequest(string? Status, string? Reason, IReadOnlyList<EvidenceRequest?>? Evidence, string? OccurredOn,
    string? ReasonCode = null);

public record AssessStatus(
    string PledgeId, PledgeStatus Status, string Reason, IReadOnlyList<Evidence> Evidence, PartialDate OccurredOn,
    string RecordedBy, StatusReasonCode? ReasonCode = null);

public static class AssessStatusSlice
{
    public static StatusAssessed Decide(AssessStatus command, Pledge pledge, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(command.Reason))
            throw new PledgeRuleViolation("reason", "A status change needs a reason.");
        if (command.Evidence.Count == 0)
            throw new PledgeRuleViolation("evidence", "A status change needs at least one evidence item.");
        if (command.Status == pledge.Status)
            throw new PledgeRuleViolation("status", $"The pledge is already '{pledge.Status}'.");
        if (command.ReasonCode is not null && !TakesReasonCode(command.Status))
            throw new PledgeRuleViolation("reasonCode", $"'reasonCode' is for a Stalled or Broken verdict, not '{command.Status}'.");
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        return new StatusAssessed(command.PledgeId, pledge.Status, command.Status, command.Reason, command.Evidence,
            command.OccurredOn.ToString(), command.RecordedBy, command.ReasonCode);
    }

    /// <summary>The verdicts that take a coded reason (<see cref="StatusReasonCode"/>).</summary>
    public static bool TakesReasonCode(PledgeStatus status) => status is PledgeStatus.Stalled or PledgeStatus.Broken;

    public static AssessStatus? Validate(string pledgeId, AssessStatusRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var status = v.Enum<PledgeStatus>("status", request.Status);
        var reason = v.RequiredText("reason", request.Reason, Validation.LongTextMax);
        var evidence = v.EvidenceList("evidence", request.Evidence);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        var reasonCode = request.ReasonCode is null ? null : v.Enum<StatusReasonCode>("reasonCode", request.ReasonCode);
        if (!v.IsValid) return null;
        return new AssessStatus(pledgeId, status!.Value, reason!, evidence, occurredOn!.Value, recordedBy, reasonCode);
    }

    public static void MapAssessStatus(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/status", async (
                string id, [FromBody] AssessStatusRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                // Kept, Compromise and Broken wait for a second editor (Review:VerdictApprovals).
                var review = http.RequestServices.GetRequiredService<ReviewingVerdicts.ReviewOptions>();
                return await PledgeWrites.Handle(http, session, id,
                    pledge => [ReviewingVerdicts.VerdictReviewSlice.Route(Decide(command, pledge, clock.Today()), pledge, review, clock.Today())], ct,
                    ReviewingVerdicts.VerdictReviewSlice.Answer);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Assess a pledge's status with a reason and evidence. With Review:VerdictApprovals ≥ 1 a verdict (Kept, Compromise, Broken) is proposed instead: 202 with its proposalId.")
            .Produces<ReviewingVerdicts.ProposalAccepted>(StatusCodes.Status202Accepted);
}
