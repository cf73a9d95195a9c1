using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.AssessingProgress;

public record AssessProgressRequest(int? Progress, string? Reason, IReadOnlyList<EvidenceRequest?>? Evidence, string? OccurredOn);

public record AssessProgress(
    string PledgeId, int Progress, string Reason, IReadOnlyList<Evidence> Evidence, PartialDate OccurredOn, string RecordedBy);

public static class AssessProgressSlice
{
    public static ProgressAssessed Decide(AssessProgress command, Pledge pledge, DateOnly today)
    {
        if (command.Progress is < 0 or > 100)
            throw new PledgeRuleViolation("progress", "'progress' must be between 0 and 100.");
        if (string.IsNullOrWhiteSpace(command.Reason))
            throw new PledgeRuleViolation("reason", "A progress change needs a reason.");
        if (command.Evidence.Count == 0)
            throw new PledgeRuleViolation("evidence", "A progress change needs at least one evidence item.");
        if (command.Progress == pledge.Progress)
            throw new PledgeRuleViolation("progress", $"The pledge's progress is already {pledge.Progress}.");
        // Kept implies 100: to record less, first assess the status as something other than Kept.
        if (pledge.Status == PledgeStatus.Kept && command.Progress < 100)
            throw new PledgeRuleViolation("progress", "The pledge is 'Kept', which means 100; assess its status first to record less.");
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        return new ProgressAssessed(command.PledgeId, pledge.Progress, command.Progress, command.Reason, command.Evidence,
            command.OccurredOn.ToString(), command.RecordedBy);
    }

    public static AssessProgress? Validate(string pledgeId, AssessProgressRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        if (request.Progress is null) v.Add("progress", "'progress' is required.");
        else if (request.Progress is < 0 or > 100) v.Add("progress", "'progress' must be between 0 and 100.");
        var reason = v.RequiredText("reason", request.Reason, Validation.LongTextMax);
        var evidence = v.EvidenceList("evidence", request.Evidence);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        if (!v.IsValid) return null;
        return new AssessProgress(pledgeId, request.Progress!.Value, reason!, evidence, occurredOn!.Value, recordedBy);
    }

    public static void MapAssessProgress(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/progress", async (
                string id, [FromBody] AssessProgressRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Assess a pledge's progress (0–100) with a reason.");
}
