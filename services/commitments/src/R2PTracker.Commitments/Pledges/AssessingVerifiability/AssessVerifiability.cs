using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.AssessingVerifiability;

public record AssessVerifiabilityRequest(string? Verifiability, string? Reason, string? OccurredOn);

public record AssessVerifiability(string PledgeId, Verifiability Verifiability, string Reason, PartialDate OccurredOn, string RecordedBy);

/// <summary>
/// Screens (or screens again) whether a pledge can be verified: <c>POST /api/pledges/{id}/verifiability</c>.
/// A registration may carry the first screen; every later one is this event.
/// </summary>
public static class AssessVerifiabilitySlice
{
    public static VerifiabilityAssessed Decide(AssessVerifiability command, Pledge pledge, DateOnly today)
    {
        if (command.Verifiability == pledge.Verifiability && command.Reason == pledge.VerifiabilityReason)
            throw new PledgeRuleViolation("verifiability", $"The pledge is already '{pledge.Verifiability}' for that reason.");
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        return new VerifiabilityAssessed(command.PledgeId, pledge.Verifiability, command.Verifiability, command.Reason,
            command.OccurredOn.ToString(), command.RecordedBy);
    }

    public static AssessVerifiability? Validate(string pledgeId, AssessVerifiabilityRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var verifiability = v.Enum<Verifiability>("verifiability", request.Verifiability);
        var reason = v.RequiredText("reason", request.Reason, Validation.LongTextMax);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        if (!v.IsValid) return null;
        return new AssessVerifiability(pledgeId, verifiability!.Value, reason!, occurredOn!.Value, recordedBy);
    }

    /// <summary>A registration's optional screen: both fields or neither (a verifiability needs its reason).</summary>
    public static (Verifiability?, string?) ValidateOptional(string? verifiability, string? reason, Validation v)
    {
        if (verifiability is null)
        {
            if (reason is not null) v.Add("verifiabilityReason", "'verifiabilityReason' goes with a 'verifiability'.");
            return (null, null);
        }
        var value = v.Enum<Verifiability>("verifiability", verifiability);
        var text = v.RequiredText("verifiabilityReason", reason, Validation.LongTextMax);
        return (value, text);
    }

    public static void MapAssessVerifiability(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/verifiability", async (
                string id, [FromBody] AssessVerifiabilityRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Assess (or revise) whether a pledge can be verified: Verifiable, Partly or NotVerifiable, with a reason.");
}
