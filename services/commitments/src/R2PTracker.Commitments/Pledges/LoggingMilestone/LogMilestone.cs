using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.LoggingMilestone;

public record LogMilestoneRequest(string? Title, string? Description, string? OccurredOn, IReadOnlyList<EvidenceRequest?>? Evidence);

public record LogMilestone(
    string PledgeId, string MilestoneId, string Title, string Description, PartialDate OccurredOn,
    IReadOnlyList<Evidence> Evidence, string RecordedBy);

public static class LogMilestoneSlice
{
    public static MilestoneLogged Decide(LogMilestone command, Pledge pledge, DateOnly today)
    {
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        if (command.Evidence.Count == 0)
            throw new PledgeRuleViolation("evidence", "A milestone needs at least one evidence item.");
        return new MilestoneLogged(command.PledgeId, command.MilestoneId, command.Title, command.Description,
            command.OccurredOn.ToString(), command.Evidence, command.RecordedBy);
    }

    public static LogMilestone? Validate(
        string pledgeId, string milestoneId, LogMilestoneRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var title = v.RequiredText("title", request.Title);
        var description = v.OptionalText("description", request.Description, Validation.LongTextMax) ?? "";
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        var evidence = v.EvidenceList("evidence", request.Evidence);
        if (!v.IsValid) return null;
        return new LogMilestone(pledgeId, milestoneId, title!, description, occurredOn!.Value, evidence, recordedBy);
    }

    public static string NewMilestoneId() => "ms-" + Guid.NewGuid().ToString("N")[..12];

    public static void MapLogMilestone(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/milestones", async (
                string id, [FromBody] LogMilestoneRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, NewMilestoneId(), request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id,
                    pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Log a milestone with evidence.");
}
