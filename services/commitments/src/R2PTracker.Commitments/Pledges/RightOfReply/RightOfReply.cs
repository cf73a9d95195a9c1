using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.RightOfReply;

public record RequestReplyRequest(string? To, string? By, string? Note, string? OccurredOn);

public record RequestReply(string PledgeId, string To, PartialDate By, string? Note, PartialDate OccurredOn, string RecordedBy);

public record RecordReplyRequest(string? RequestId, string? OnBehalfOf, string? Text, SourceRequest? Source, string? RepliedOn);

public record RecordReply(string PledgeId, string RequestId, string OnBehalfOf, string Text, SourceCitation? Source, PartialDate RepliedOn,
    string RecordedBy);

/// <summary>
/// Right of reply: staff record that they asked someone (usually the pledge's actor) for a response to the
/// pledge's current verdict by a deadline (<c>POST /api/pledges/{id}/reply-requests</c>), and the response
/// when it comes (<c>POST /api/pledges/{id}/replies</c>). Both are events like any other: attributed,
/// chained, logged, in the timeline and the feeds.
/// </summary>
public static class RightOfReplySlice
{
    public static ReplyRequested Decide(RequestReply command, Pledge pledge, DateOnly today)
    {
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        if (command.By.Latest < command.OccurredOn.Earliest)
            throw new PledgeRuleViolation("by", $"'by' ({command.By}) is before the request was made ({command.OccurredOn}).");
        return new ReplyRequested(command.PledgeId, $"reply-{pledge.ReplyRequests.Count + 1}", command.To, command.By.ToString(), command.Note,
            pledge.Status, pledge.StatusSince, command.OccurredOn.ToString(), command.RecordedBy);
    }

    public static ReplyRecorded Decide(RecordReply command, Pledge pledge, DateOnly today)
    {
        var request = pledge.ReplyRequest(command.RequestId)
                      ?? throw new PledgeRuleViolation("requestId", $"'requestId' names '{command.RequestId}', which this pledge has no request for.");
        if (request.Reply is not null)
            throw new PledgeRuleViolation("requestId", $"Request '{request.Id}' already has its reply (given {request.Reply.RepliedOn}).");
        DateRules.EnsurePlausible("repliedOn", command.RepliedOn, pledge, today);
        // A reply sorts after its request on the occurred axis (by last day, then first day), so both axes see it answered.
        var asked = PartialDate.Parse(request.RequestedOn);
        if ((command.RepliedOn.Latest, command.RepliedOn.Earliest).CompareTo((asked.Latest, asked.Earliest)) < 0)
            throw new PledgeRuleViolation("repliedOn", $"'repliedOn' ({command.RepliedOn}) is before the reply was asked for ({request.RequestedOn}).");
        return new ReplyRecorded(command.PledgeId, request.Id, command.OnBehalfOf, command.Text, command.Source, command.RepliedOn.ToString(),
            command.RecordedBy);
    }

    public static RequestReply? Validate(string pledgeId, RequestReplyRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var to = v.RequiredText("to", request.To);
        var by = v.RequiredDate("by", request.By);
        var note = v.OptionalText("note", request.Note, Validation.LongTextMax);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        if (!v.IsValid) return null;
        return new RequestReply(pledgeId, to!, by!.Value, note, occurredOn!.Value, recordedBy);
    }

    public static RecordReply? Validate(string pledgeId, RecordReplyRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var requestId = v.RequiredText("requestId", request.RequestId);
        var onBehalfOf = v.RequiredText("onBehalfOf", request.OnBehalfOf);
        var text = v.RequiredText("text", request.Text, Validation.LongTextMax);
        var source = v.OptionalSource("source", request.Source);
        var repliedOn = request.RepliedOn is null ? PartialDate.FromDate(today) : v.OptionalDate("repliedOn", request.RepliedOn);
        if (!v.IsValid) return null;
        return new RecordReply(pledgeId, requestId!, onBehalfOf!, text!, source, repliedOn!.Value, recordedBy);
    }

    public static void MapRightOfReply(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/pledges/{id}/reply-requests", async (
                string id, [FromBody] RequestReplyRequest? request, HttpContext http, IDocumentSession session, TimeProvider clock,
                CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Ask for a response to a verdict (right of reply).");

        app.MapPost("/api/pledges/{id}/replies", async (
                string id, [FromBody] RecordReplyRequest? request, HttpContext http, IDocumentSession session, TimeProvider clock,
                CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Record the response to a reply request.");
    }
}
