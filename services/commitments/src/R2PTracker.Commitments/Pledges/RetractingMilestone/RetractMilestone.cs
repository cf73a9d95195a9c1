using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.RetractingMilestone;

public record RetractMilestoneRequest(string? Reason);

public record RetractMilestone(string PledgeId, string MilestoneId, string Reason, string RecordedBy);

public static class RetractMilestoneSlice
{
    public static MilestoneRetracted Decide(RetractMilestone command, Pledge pledge)
    {
        var milestone = pledge.Milestone(command.MilestoneId) ?? throw new MilestoneNotFound(command.PledgeId, command.MilestoneId);
        if (milestone.Retracted)
            throw new PledgeRuleViolation("milestoneId", $"Milestone '{command.MilestoneId}' is already retracted.");
        if (string.IsNullOrWhiteSpace(command.Reason))
            throw new PledgeRuleViolation("reason", "A retraction needs a reason.");
        return new MilestoneRetracted(command.PledgeId, command.MilestoneId, command.Reason, command.RecordedBy);
    }

    public static RetractMilestone? Validate(string pledgeId, string milestoneId, RetractMilestoneRequest? request, string recordedBy, Validation v)
    {
        if (request is null) v.Add("body", "A JSON body is required.");
        var reason = v.RequiredText("reason", request?.Reason, Validation.LongTextMax);
        if (!v.IsValid) return null;
        return new RetractMilestone(pledgeId, milestoneId, reason!, recordedBy);
    }

    public static void MapRetractMilestone(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/milestones/{milestoneId}/retraction", async (
                string id, string milestoneId, [FromBody] RetractMilestoneRequest? request, HttpContext http,
                IDocumentSession session, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, milestoneId, request, http.User.StaffName(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge)], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Retract a milestone (it stays in the history).");
}
