using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Recording;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.Registering;

public record RegisterPledgeRequest(
    string? Id, string? Title, string? Quote, string? Actor, string? Country, string? MadeOn,
    string? MadeOnNote, string? TargetDate, string? TargetDateNote, string? Theme, SourceRequest? Source,
    string? Verifiability = null, string? VerifiabilityReason = null);

public record RegisterPledge(
    string PledgeId, string Title, string Quote, string Actor, string Country, PartialDate MadeOn,
    string? MadeOnNote, PartialDate? TargetDate, string? TargetDateNote, string? Theme, SourceCitation Source,
    string RecordedBy, Verifiability? Verifiability = null, string? VerifiabilityReason = null);

public static class RegisterPledgeSlice
{
    public static PledgeRegistered Decide(RegisterPledge command, DateOnly today)
    {
        if (command.MadeOn.Earliest > today)
            throw new PledgeRuleViolation("madeOn", $"'madeOn' ({command.MadeOn}) is in the future.");
        if (command.TargetDate is { } target && target.Latest < command.MadeOn.Earliest)
            throw new PledgeRuleViolation("targetDate", $"'targetDate' ({target}) is before the pledge was made ({command.MadeOn}).");
        return new PledgeRegistered(
            command.PledgeId, command.Title, command.Quote, command.Actor, command.Country,
            command.MadeOn.ToString(), command.MadeOnNote, command.TargetDate?.ToString(), command.TargetDateNote,
            command.Theme, command.Source, command.RecordedBy, command.Verifiability, command.VerifiabilityReason);
    }

    public static RegisterPledge? Validate(RegisterPledgeRequest? request, string recordedBy, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var id = v.Slug("id", request.Id);
        var title = v.RequiredText("title", request.Title);
        var quote = v.RequiredText("quote", request.Quote, Validation.LongTextMax);
        var actor = v.RequiredText("actor", request.Actor);
        var country = v.RequiredText("country", request.Country, 2);
        if (country is not null && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper) || Contracts.Countries.Normalise(country) is null))
            v.Add("country", "'country' must be an assigned ISO 3166-1 alpha-2 code in capitals, e.g. KH.");
        var madeOn = v.RequiredDate("madeOn", request.MadeOn);
        var madeOnNote = v.OptionalText("madeOnNote", request.MadeOnNote, Validation.LongTextMax);
        var targetDate = v.OptionalDate("targetDate", request.TargetDate);
        var targetDateNote = v.OptionalText("targetDateNote", request.TargetDateNote, Validation.LongTextMax);
        var theme = v.OptionalText("theme", request.Theme);
        if (request.Source is null) v.Add("source", "'source' is required.");
        var source = v.OptionalSource("source", request.Source);
        // Optional: a pledge registered without one reads as not yet screened (verifiability null).
        var (verifiability, verifiabilityReason) = AssessingVerifiability.AssessVerifiabilitySlice.ValidateOptional(
            request.Verifiability, request.VerifiabilityReason, v);
        if (!v.IsValid) return null;
        return new RegisterPledge(id!, title!, quote!, actor!, country!, madeOn!.Value, madeOnNote, targetDate,
            targetDateNote, theme, source!, recordedBy, verifiability, verifiabilityReason);
    }

    public static void MapRegisterPledge(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges", async (
                [FromBody] RegisterPledgeRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(request, http.User.StaffName(), v);
                if (command is null) return Problems.Validation(v);

                var registered = Decide(command, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
                session.Events.StartStream<Pledge>(command.PledgeId,
                    (await EventChain.StampAsync(session, command.PledgeId, 0, [registered], clock, ct)).ToArray<object>());
                try
                {
                    await session.SaveChangesAsync(ct);
                }
                catch (Exception e) when (Problems.IsStreamCollision(e))
                {
                    return Problems.Conflict($"A pledge with id '{command.PledgeId}' already exists.");
                }
                var pledge = await session.LoadAsync<Pledge>(command.PledgeId, ct);
                http.RequestServices.GetService<BecomingOverdue.OverdueMonitor>()?.Nudge(command.PledgeId);
                http.Response.Headers.ETag = Problems.ETag(1);
                return Results.Created($"/api/pledges/{command.PledgeId}", pledge);
            })
            .RequireAuthorization(InternalAuth.AdminPolicy)
            .WithTags("Pledges").WithSummary("Register a pledge (admins only).")
            .Produces<Pledge>(StatusCodes.Status201Created)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict);
}
