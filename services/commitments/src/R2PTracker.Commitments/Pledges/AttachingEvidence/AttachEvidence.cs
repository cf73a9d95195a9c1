using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.AttachingEvidence;

public record AttachEvidenceRequest(string? MilestoneId, IReadOnlyList<EvidenceRequest?>? Evidence, string? OccurredOn);

public record AttachEvidence(string PledgeId, string? MilestoneId, IReadOnlyList<Evidence> Evidence, PartialDate OccurredOn, string RecordedBy);

public static class AttachEvidenceSlice
{
    public static EvidenceAttached Decide(AttachEvidence command, Pledge pledge, DateOnly today)
    {
        if (command.Evidence.Count == 0)
            throw new PledgeRuleViolation("evidence", "Attach at least one evidence item.");
        if (command.MilestoneId is { } milestoneId)
        {
            var milestone = pledge.Milestone(milestoneId)
                            ?? throw new PledgeRuleViolation("milestoneId", $"The pledge has no milestone '{milestoneId}'.");
            if (milestone.Retracted)
                throw new PledgeRuleViolation("milestoneId", $"Milestone '{milestoneId}' was retracted.");
        }
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        return new EvidenceAttached(command.PledgeId, command.MilestoneId, command.Evidence, command.OccurredOn.ToString(), command.RecordedBy);
    }

    public static AttachEvidence? Validate(string pledgeId, AttachEvidenceRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var milestoneId = v.OptionalText("milestoneId", request.MilestoneId, 80);
        var evidence = v.EvidenceList("evidence", request.Evidence);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        if (!v.IsValid) return null;
        return new AttachEvidence(pledgeId, milestoneId, evidence, occurredOn!.Value, recordedBy);
    }

    public static void MapAttachEvidence(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/evidence", async (
                string id, [FromBody] AttachEvidenceRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Attach evidence to a pledge or one of its milestones.");
}
