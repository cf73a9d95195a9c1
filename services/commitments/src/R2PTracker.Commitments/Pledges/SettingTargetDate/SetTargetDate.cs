using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.SettingTargetDate;

public record SetTargetDateRequest(string? TargetDate, string? Note, string? Reason, string? OccurredOn);

public record SetTargetDate(
    string PledgeId, PartialDate TargetDate, string? Note, string Reason, PartialDate OccurredOn, string RecordedBy);

public static class SetTargetDateSlice
{
    public static TargetDateSet Decide(SetTargetDate command, Pledge pledge, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(command.Reason))
            throw new PledgeRuleViolation("reason", "Setting a target date needs a reason.");
        if (command.TargetDate.Latest < PartialDate.Parse(pledge.MadeOn).Earliest)
            throw new PledgeRuleViolation("targetDate", $"'targetDate' ({command.TargetDate}) is before the pledge was made ({pledge.MadeOn}).");
        if (command.TargetDate.ToString() == pledge.TargetDate)
            throw new PledgeRuleViolation("targetDate", $"The target date is already {pledge.TargetDate}.");
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        return new TargetDateSet(command.PledgeId, pledge.TargetDate, command.TargetDate.ToString(), command.Note, command.Reason,
            command.OccurredOn.ToString(), command.RecordedBy);
    }

    public static SetTargetDate? Validate(string pledgeId, SetTargetDateRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var target = v.RequiredDate("targetDate", request.TargetDate);
        var note = v.OptionalText("note", request.Note, Validation.LongTextMax);
        var reason = v.RequiredText("reason", request.Reason, Validation.LongTextMax);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        if (!v.IsValid) return null;
        return new SetTargetDate(pledgeId, target!.Value, note, reason!, occurredOn!.Value, recordedBy);
    }

    public static void MapSetTargetDate(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/target-date", async (
                string id, [FromBody] SetTargetDateRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Set or change a pledge's target date.");
}
