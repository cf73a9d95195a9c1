using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.RevisingDetails;

public record ReviseDetailsRequest(string? Title, string? Quote, string? Actor, string? Theme, string? Reason, string? OccurredOn);

public record ReviseDetails(
    string PledgeId, string? Title, string? Quote, string? Actor, string? Theme, string Reason, PartialDate OccurredOn, string RecordedBy);

public static class ReviseDetailsSlice
{
    /// <summary>Only fields that change are recorded; a revision that changes nothing is refused.</summary>
    public static PledgeDetailsRevised Decide(ReviseDetails command, Pledge pledge, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(command.Reason))
            throw new PledgeRuleViolation("reason", "A revision needs a reason.");
        string? Changed(string? proposed, string? current) => proposed is not null && proposed != current ? proposed : null;
        var title = Changed(command.Title, pledge.Title);
        var quote = Changed(command.Quote, pledge.Quote);
        var actor = Changed(command.Actor, pledge.Actor);
        var theme = Changed(command.Theme, pledge.Theme);
        if (title is null && quote is null && actor is null && theme is null)
            throw new PledgeRuleViolation("body", "The revision changes nothing: give a new title, quote, actor or theme.");
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        return new PledgeDetailsRevised(command.PledgeId, title, quote, actor, theme, command.Reason, command.OccurredOn.ToString(), command.RecordedBy);
    }

    public static ReviseDetails? Validate(string pledgeId, ReviseDetailsRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        string? NonEmpty(string field, string? value, int max)
        {
            if (value is not null && string.IsNullOrWhiteSpace(value)) { v.Add(field, $"'{field}' may not be empty."); return null; }
            return v.OptionalText(field, value, max);
        }
        var title = NonEmpty("title", request.Title, Validation.ShortTextMax);
        var quote = NonEmpty("quote", request.Quote, Validation.LongTextMax);
        var actor = NonEmpty("actor", request.Actor, Validation.ShortTextMax);
        var theme = NonEmpty("theme", request.Theme, Validation.ShortTextMax);
        var reason = v.RequiredText("reason", request.Reason, Validation.LongTextMax);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        if (!v.IsValid) return null;
        return new ReviseDetails(pledgeId, title, quote, actor, theme, reason!, occurredOn!.Value, recordedBy);
    }

    public static void MapReviseDetails(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/details", async (
                string id, [FromBody] ReviseDetailsRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Revise a pledge's details.");
}
