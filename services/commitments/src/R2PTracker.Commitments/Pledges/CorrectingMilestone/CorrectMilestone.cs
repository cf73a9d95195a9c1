using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.CorrectingMilestone;

public record CorrectMilestoneRequest(
    string? Title, string? Description, string? OccurredOn, IReadOnlyList<EvidenceRequest?>? Evidence, string? Reason);

/// <summary>Fields left out keep the milestone's current value (evidence: null keeps, a list replaces).</summary>
public record CorrectMilestone(
    string PledgeId, string MilestoneId, string? Title, string? Description, PartialDate? OccurredOn,
    IReadOnlyList<Evidence>? Evidence, string Reason, string RecordedBy);

public static class CorrectMilestoneSlice
{
    public static MilestoneCorrected Decide(CorrectMilestone command, Pledge pledge, IReadOnlyList<Evidence> currentEvidence, DateOnly today)
    {
        var milestone = pledge.Milestone(command.MilestoneId) ?? throw new MilestoneNotFound(command.PledgeId, command.MilestoneId);
        if (milestone.Retracted)
            throw new PledgeRuleViolation("milestoneId", $"Milestone '{command.MilestoneId}' was retracted and cannot be corrected.");
        if (string.IsNullOrWhiteSpace(command.Reason))
            throw new PledgeRuleViolation("reason", "A correction needs a reason.");
        var occurredOn = command.OccurredOn ?? PartialDate.Parse(milestone.OccurredOn);
        DateRules.EnsurePlausible("occurredOn", occurredOn, pledge, today);
        var evidence = command.Evidence ?? currentEvidence;
        if (evidence.Count == 0)
            throw new PledgeRuleViolation("evidence", "A milestone needs at least one evidence item.");
        var corrected = new MilestoneCorrected(command.PledgeId, command.MilestoneId, command.Title ?? milestone.Title,
            command.Description ?? milestone.Description, occurredOn.ToString(), evidence, command.Reason, command.RecordedBy);
        if (corrected.Title == milestone.Title && corrected.Description == milestone.Description
            && corrected.OccurredOn == milestone.OccurredOn && evidence.SequenceEqual(currentEvidence))
            throw new PledgeRuleViolation("body", "The correction changes nothing.");
        return corrected;
    }

    public static CorrectMilestone? Validate(
        string pledgeId, string milestoneId, CorrectMilestoneRequest? request, string recordedBy, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        if (request.Title is not null && string.IsNullOrWhiteSpace(request.Title)) v.Add("title", "'title' may not be empty.");
        var title = v.OptionalText("title", request.Title);
        var description = v.OptionalText("description", request.Description, Validation.LongTextMax);
        var occurredOn = v.OptionalDate("occurredOn", request.OccurredOn);
        var evidence = request.Evidence is null ? null : v.EvidenceList("evidence", request.Evidence);
        var reason = v.RequiredText("reason", request.Reason, Validation.LongTextMax);
        if (!v.IsValid) return null;
        return new CorrectMilestone(pledgeId, milestoneId, title, description, occurredOn, evidence, reason!, recordedBy);
    }

    /// <summary>The milestone's evidence as it stands: logged, then replaced by corrections, plus attachments.</summary>
    public static async Task<IReadOnlyList<Evidence>> CurrentEvidenceAsync(IQuerySession session, string pledgeId, string milestoneId, CancellationToken ct) =>
        CurrentEvidence((await session.Events.FetchStreamAsync(pledgeId, token: ct)).Select(e => e.Data), milestoneId);

    public static IReadOnlyList<Evidence> CurrentEvidence(IEnumerable<object> events, string milestoneId)
    {
        var evidence = new List<Evidence>();
        foreach (var data in events)
        {
            switch (data)
            {
                case MilestoneLogged m when m.MilestoneId == milestoneId: evidence = [.. m.Evidence]; break;
                case MilestoneCorrected c when c.MilestoneId == milestoneId: evidence = [.. c.Evidence]; break;
                case EvidenceAttached a when a.MilestoneId == milestoneId: evidence.AddRange(a.Evidence); break;
            }
        }
        return evidence;
    }

    public static void MapCorrectMilestone(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/milestones/{milestoneId}/corrections", async (
                string id, string milestoneId, [FromBody] CorrectMilestoneRequest? request, HttpContext http,
                IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, milestoneId, request, http.User.StaffName(), v);
                if (command is null) return Problems.Validation(v);
                var current = await CurrentEvidenceAsync(session, id, milestoneId, ct);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, current, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Correct a milestone (a new event; the original is kept).");
}
