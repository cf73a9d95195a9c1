using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.Translating;

/// <summary>
/// <c>target</c> names the text as the record's <c>translations</c> object holds it: "title", "quote",
/// "statusReason" (the reason given with the current status), "milestones/{milestoneId}/title" or
/// "milestones/{milestoneId}/description".
/// </summary>
public record AddTranslationRequest(
    string? Target, string? Language, string? Text, string? Translator, string? Kind, SourceRequest? Source, string? OccurredOn);

public record AddTranslation(
    string PledgeId, string? MilestoneId, string Field, string Language, string Text, string Translator, string Kind,
    SourceCitation? Source, PartialDate OccurredOn, string RecordedBy);

public static class AddTranslationSlice
{
    private static readonly string[] Kinds = [TranslationAdded.Official, TranslationAdded.Unofficial];

    public static TranslationAdded Decide(AddTranslation command, Pledge pledge, DateOnly today)
    {
        var target = TranslationAdded.TargetOf(command.MilestoneId, command.Field);
        if (command.MilestoneId is { } milestoneId)
        {
            var milestone = pledge.Milestone(milestoneId)
                            ?? throw new PledgeRuleViolation("target", $"'target' names milestone '{milestoneId}', which this pledge does not have.");
            if (milestone.Retracted) throw new PledgeRuleViolation("target", $"'target' names a retracted milestone ('{milestoneId}').");
        }
        var original = pledge.OriginalOf(command.MilestoneId, command.Field);
        if (string.IsNullOrEmpty(original)) throw new PledgeRuleViolation("target", $"'{target}' is empty: there is nothing to translate.");
        var current = pledge.Translations.GetValueOrDefault(command.Language)?.Of(command.MilestoneId, command.Field);
        if (current is not null && current.Text == command.Text && current.Translator == command.Translator
            && current.Kind == command.Kind && current.Source == command.Source)
            throw new PledgeRuleViolation("text", $"This translation of '{target}' is already the current one.");
        DateRules.EnsurePlausible("occurredOn", command.OccurredOn, pledge, today);
        return new TranslationAdded(command.PledgeId, command.MilestoneId, command.Field, command.Language, command.Text, original,
            command.Translator, command.Kind, command.Source, command.OccurredOn.ToString(), command.RecordedBy);
    }

    public static AddTranslation? Validate(string pledgeId, AddTranslationRequest? request, string recordedBy, DateOnly today, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var (milestoneId, field) = Target(request.Target, v);
        var language = ContentLanguages.Normalise(request.Language);
        if (language is null)
            v.Add("language", $"'language' must be one of: {ContentLanguages.Listed}.");
        // A title is one line, as the original's is; a quote or description may have several.
        var text = v.RequiredText("text", request.Text, field == "title" ? Validation.ShortTextMax : Validation.LongTextMax);
        var translator = v.RequiredText("translator", request.Translator);
        if (request.Kind is not { } kind || !Kinds.Contains(kind, StringComparer.Ordinal))
            v.Add("kind", $"'kind' must be one of: {string.Join(", ", Kinds)}.");
        var source = v.OptionalSource("source", request.Source);
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        if (!v.IsValid) return null;
        return new AddTranslation(pledgeId, milestoneId, field!, language!, text!, translator!, request.Kind!, source, occurredOn!.Value, recordedBy);
    }

    private static (string? MilestoneId, string? Field) Target(string? target, Validation v)
    {
        var parts = target?.Split('/') ?? [];
        switch (parts)
        {
            case ["title" or "quote" or TranslationAdded.StatusReasonField]:
                return (null, parts[0]);
            case ["milestones", { Length: > 0 } id, "title" or "description"] when Validation.Forbidden(id, lineBreaks: false) is null:
                return (id, parts[2]);
            default:
                v.Add("target", "'target' must be 'title', 'quote', 'statusReason', 'milestones/{milestoneId}/title' or 'milestones/{milestoneId}/description'.");
                return (null, null);
        }
    }

    public static void MapAddTranslation(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/translations", async (
                string id, [FromBody] AddTranslationRequest? request, HttpContext http, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, http.User.StaffName(), clock.Today(), v);
                if (command is null) return Problems.Validation(v);
                return await PledgeWrites.Handle(http, session, id, pledge => [Decide(command, pledge, clock.Today())], ct);
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Add an attributed translation of a pledge's texts.");
}
