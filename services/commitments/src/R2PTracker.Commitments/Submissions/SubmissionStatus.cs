using System.Net;
using Marten;
using R2PTracker.Commitments.Http;

namespace R2PTracker.Commitments.Submissions;

/// <summary>What the submitter reads at the private link: their submission, its state, and the reason if it was rejected.</summary>
public record SubmissionStatusView(
    Guid Id, string PledgeId, string State, string Text, IReadOnlyList<string> Links, string? Name, bool HasEmail,
    DateTimeOffset ReceivedAt, DateTimeOffset? QueuedAt, string? AcceptedAs, string? MilestoneId, string? Reason, DateTimeOffset? ModeratedAt)
{
    public static SubmissionStatusView Of(Submission s) => new(
        s.Id, s.PledgeId, s.State, s.Text, s.Links, s.Name, s.HasEmail, s.ReceivedAt, s.QueuedAt, s.AcceptedAs, s.MilestoneId, s.Reason, s.ModeratedAt);
}

public static class SubmissionStatusSlice
{
    public static async Task<Submission?> ByTokenAsync(IQuerySession session, string token, CancellationToken ct) =>
        token.Length is < 20 or > 100 ? null
            : await session.Query<Submission>().Where(s => s.StatusTokenHash == SubmissionTokens.Hash(token)).FirstOrDefaultAsync(ct);

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Submission not found.", detail: "No submission has this status link.");

    public static void MapSubmissionStatus(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/submissions/status/{token}", async (string token, ISubmissionStore store, CancellationToken ct) =>
            {
                await using var session = store.QuerySession();
                return await ByTokenAsync(session, token, ct) is { } submission ? Results.Ok(SubmissionStatusView.Of(submission)) : NotFound();
            })
            .Reads<SubmissionStatusView>("Submissions", "A submission's state, read through its private status link (the token is the link's secret).",
                StatusCodes.Status404NotFound);
}

/// <summary>
/// The link in the confirmation mail (as for subscriptions): GET shows a page with a button, since mail scanners
/// pre-fetch links; POST confirms, and the submission enters the moderation queue.
/// </summary>
public static class ConfirmSubmissionSlice
{
    public static void MapConfirmSubmission(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/submissions/{id:guid}/confirmation", (Guid id, string? token) =>
                Page("Confirm your submission to R2P Tracker",
                    $"<form method=\"post\" action=\"{WebUtility.HtmlEncode($"/api/submissions/{id}/confirmation?token={Uri.EscapeDataString(token ?? "")}")}\">"
                    + "<button type=\"submit\">Confirm my submission</button></form>"))
            .WithTags("Submissions").WithSummary("The page behind a submission's confirmation link: a button that confirms.")
            .Produces<string>(StatusCodes.Status200OK, "text/html");

        app.MapPost("/api/submissions/{id:guid}/confirmation", async (Guid id, string? token, ISubmissionStore store, TimeProvider clock, CancellationToken ct) =>
            {
                await using var session = store.LightweightSession();
                var contact = await session.LoadAsync<SubmissionContact>(id, ct);
                if (contact is null || !SubmissionTokens.SameToken(contact.ConfirmToken, token))
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "This link is not valid.",
                        detail: "The submission does not exist, was already moderated, or the token does not match.");
                var stream = await session.Events.FetchForWriting<Submission>(id, ct);
                if (stream.Aggregate?.State == SubmissionStates.AwaitingConfirmation)
                {
                    stream.AppendOne(new SubmissionConfirmed(id, clock.GetUtcNow()));
                    await session.SaveChangesAsync(ct);
                }
                return Page("Submission confirmed", "<p>Thank you. Your submission is now waiting for an editor. "
                                                    + "You will get an e-mail when it has been accepted or rejected.</p>");
            })
            .DisableAntiforgery()
            .WithTags("Submissions").WithSummary("Confirm a submission's e-mail address with the token from its confirmation mail.")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult Page(string title, string body) => Results.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head>"
        + $"<body><h1>{WebUtility.HtmlEncode(title)}</h1>{body}</body></html>", "text/html");
}
