using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Submissions;

/// <summary>
/// What the public form sends. <see cref="Website"/> is the honeypot: a field the dashboard's form hides from
/// people, which only a bot fills in.
/// </summary>
public record SubmitRequest(string? Text, IReadOnlyList<string?>? Links, string? Name, string? Email, string? Website);

public record Submit(string PledgeId, string Text, IReadOnlyList<string> Links, string? Name, string? Email);

/// <summary>The answer to a submission: its state and the private link at which its submitter follows it.</summary>
public record SubmissionReceipt(Guid Id, string State, string StatusToken, string StatusUrl);

public static class SubmitSlice
{
    public const int MaxNameLength = 100;
    public const int MaxEmailLength = 254;

    public static Submit? Validate(string pledgeId, SubmitRequest? request, SubmissionOptions limits, Validation v)
    {
        if (request is null) { v.Add("body", "A JSON body is required."); return null; }
        var text = v.RequiredText("text", request.Text, limits.MaxTextLength);
        var links = new List<string>();
        if (request.Links is { } given)
        {
            if (given.Count > limits.MaxLinks) v.Add("links", $"'links' may list at most {limits.MaxLinks} links.");
            else
                for (var i = 0; i < given.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(given[i])) { v.Add($"links[{i}]", $"'links[{i}]' must be an absolute http or https URL."); continue; }
                    if (v.OptionalUrl($"links[{i}]", given[i]!.Trim()) is { } url) links.Add(url);
                }
        }
        var name = string.IsNullOrWhiteSpace(request.Name) ? null : v.OptionalText("name", request.Name.Trim(), MaxNameLength);
        var email = string.IsNullOrWhiteSpace(request.Email) ? null : Email(request.Email.Trim(), v);
        if (!v.IsValid) return null;
        return new Submit(pledgeId, text!, links, name, email);
    }

    private static string? Email(string value, Validation v)
    {
        // One address, as a person types it: local@domain, no display name, no spaces, a dot in the domain.
        var at = value.LastIndexOf('@');
        if (value.Length <= MaxEmailLength && at > 0 && at < value.Length - 3 && value[(at + 1)..].Contains('.')
            && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or ',' or ';')
            && System.Net.Mail.MailAddress.TryCreate(value, out var parsed) && parsed.Address == value)
            return value;
        v.Add("email", $"'email' must be an e-mail address (at most {MaxEmailLength} characters), or left out.");
        return null;
    }

    public static void MapSubmit(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/pledges/{id}/submissions", async (
                string id, [FromBody] SubmitRequest? request, IQuerySession pledges, ISubmissionStore store, SubmissionOptions limits,
                TimeProvider clock, HttpContext http, ILoggerFactory loggers, CancellationToken ct) =>
            {
                var v = new Validation();
                var command = Validate(id, request, limits, v);
                if (command is null) return Problems.Validation(v);
                if (await pledges.LoadAsync<Pledge>(id, ct) is null) return Problems.NotFound(id);

                var token = SubmissionTokens.New();
                var submissionId = Guid.NewGuid();
                var state = command.Email is null ? SubmissionStates.Queued : SubmissionStates.AwaitingConfirmation;
                // The honeypot was filled: a bot. It is answered as a person would be, so that it learns nothing, and nothing is kept.
                if (!string.IsNullOrEmpty(request!.Website))
                {
                    loggers.CreateLogger("R2PTracker.Commitments.Submissions").LogInformation("A submission on {PledgeId} filled the honeypot; not kept", id);
                    return Accepted(http, submissionId, state, token);
                }

                await using var session = store.LightweightSession();
                var now = clock.GetUtcNow();
                session.Events.StartStream<Submission>(submissionId, new SubmissionReceived(
                    submissionId, id, command.Text, command.Links, command.Name, command.Email is not null, SubmissionTokens.Hash(token), now));
                if (command.Email is { } email)
                    session.Insert(new SubmissionContact { Id = submissionId, Email = email, ConfirmToken = SubmissionTokens.New(), CreatedAt = now });
                await session.SaveChangesAsync(ct);
                return Accepted(http, submissionId, state, token);
            })
            .WithTags("Submissions")
            .WithSummary("Send evidence about a pledge (public): it is moderated before anything of it is published.")
            .WithDescription("Answers 202 with a private status link. With an e-mail the submission counts only once the link in the "
                             + "confirmation mail is followed. The e-mail is never published.")
            .Produces<SubmissionReceipt>(StatusCodes.Status202Accepted)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status429TooManyRequests);

    private static IResult Accepted(HttpContext http, Guid id, string state, string token)
    {
        var statusUrl = $"/submissions/status/{token}";
        http.Response.Headers.Location = $"/api/submissions/status/{token}";
        return Results.Json(new SubmissionReceipt(id, state, token, statusUrl), statusCode: StatusCodes.Status202Accepted);
    }
}
