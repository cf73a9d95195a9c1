using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AttachingEvidence;
using R2PTracker.Commitments.Pledges.LoggingMilestone;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Submissions;

/// <summary>A submission as staff see it in the queue: everything but the address (only whether one was given and confirmed).</summary>
public record QueuedSubmission(
    Guid Id, string PledgeId, string State, string Text, IReadOnlyList<string> Links, string? Name, bool HasEmail, bool Confirmed,
    DateTimeOffset ReceivedAt, DateTimeOffset? QueuedAt, string? AcceptedAs, string? MilestoneId, string? Reason, string? ModeratedBy,
    DateTimeOffset? ModeratedAt)
{
    public static QueuedSubmission Of(Submission s) => new(s.Id, s.PledgeId, s.State, s.Text, s.Links, s.Name, s.HasEmail, s.ConfirmedAt is not null,
        s.ReceivedAt, s.QueuedAt, s.AcceptedAs, s.MilestoneId, s.Reason, s.ModeratedBy, s.ModeratedAt);
}

public record SubmissionPage(IReadOnlyList<QueuedSubmission> Items, string? Next);

/// <summary>
/// How staff accept a submission: as a new milestone (<c>as</c> "milestone", with its title) or as evidence on the
/// pledge or on one of its milestones (<c>as</c> "evidence", <c>milestoneId</c>). The evidence is <c>evidence</c> when
/// given, else the submission's links.
/// </summary>
public record AcceptSubmissionRequest(
    string? As, string? Title, string? Description, string? OccurredOn, string? MilestoneId, IReadOnlyList<EvidenceRequest?>? Evidence);

public record RejectSubmissionRequest(string? Reason);

public static class ModerationSlice
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>
    /// The pledge event that accepting appends, crediting the submitter as they chose (by name, or anonymously): the
    /// same rules as a staff member's own milestone or evidence. None if the pledge credits this submission already
    /// (an acceptance whose second step did not happen is completed, not repeated).
    /// </summary>
    public static IReadOnlyList<object> Decide(AcceptSubmissionRequest request, Submission submission, Pledge pledge, string milestoneId,
        string recordedBy, DateOnly today)
    {
        if (pledge.CreditedSubmissions.Contains(submission.Id.ToString())) return [];
        var v = new Validation();
        var occurredOn = request.OccurredOn is null ? PartialDate.FromDate(today) : v.OptionalDate("occurredOn", request.OccurredOn);
        var evidence = request.Evidence is { Count: > 0 } given ? v.EvidenceList("evidence", given) : EvidenceOf(submission);
        var credit = new PublicCredit(submission.Id.ToString(), submission.Name);
        if (request.As == "milestone")
        {
            var title = v.RequiredText("title", request.Title);
            var description = v.OptionalText("description", request.Description, Validation.LongTextMax) ?? submission.Text;
            ThrowIfInvalid(v);
            return [LogMilestoneSlice.Decide(new LogMilestone(pledge.Id, milestoneId, title!, description, occurredOn!.Value, evidence, recordedBy), pledge, today)
                with { Credit = credit }];
        }
        if (request.As == "evidence")
        {
            var onMilestone = v.OptionalText("milestoneId", request.MilestoneId, 80);
            ThrowIfInvalid(v);
            return [AttachEvidenceSlice.Decide(new AttachEvidence(pledge.Id, onMilestone, evidence, occurredOn!.Value, recordedBy), pledge, today)
                with { Credit = credit }];
        }
        throw new PledgeRuleViolation("as", "'as' must be 'milestone' or 'evidence'.");
    }

    private static void ThrowIfInvalid(Validation v)
    {
        if (v.IsValid) return;
        var (field, messages) = v.Errors.First();
        throw new PledgeRuleViolation(field, messages[0]);
    }

    /// <summary>Each link the submitter gave, titled by its site.</summary>
    public static IReadOnlyList<Evidence> EvidenceOf(Submission s) =>
        s.Links.Select(l => new Evidence($"Submitted link ({new Uri(l).Host})", l, null)).ToList();

    public static void MapSubmissionQueue(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/submissions", async (HttpContext http, ISubmissionStore store, CancellationToken ct) =>
            {
                var query = http.Request.Query;
                var v = new Validation();
                foreach (var key in query.Keys.Where(k => k is not ("state" or "limit" or "cursor" or "pledgeId")))
                    v.Add(key, $"'{key}' is not a parameter of this list (state, pledgeId, limit, cursor).");
                var state = query["state"].ToString() is { Length: > 0 } s ? s : SubmissionStates.Queued;
                if (!SubmissionStates.All.Contains(state)) v.Add("state", $"'state' must be one of: {string.Join(", ", SubmissionStates.All)}.");
                var limit = DefaultPageSize;
                if (query["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
                    v.Add("limit", $"'limit' must be from 1 to {MaxPageSize}.");
                var offset = 0;
                if (query["cursor"].ToString() is { Length: > 0 } c && (!int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
                    v.Add("cursor", "'cursor' must be the 'next' of a previous page.");
                if (!v.IsValid) return Problems.Validation(v);

                await using var session = store.QuerySession();
                var matching = session.Query<Submission>().Where(x => x.State == state);
                if (query["pledgeId"].ToString() is { Length: > 0 } pledgeId) matching = matching.Where(x => x.PledgeId == pledgeId);
                // Oldest first: the queue is worked from its head.
                var page = await matching.OrderBy(x => x.ReceivedAt).Skip(offset).Take(limit + 1).ToListAsync(ct);
                var next = page.Count > limit ? (offset + limit).ToString(CultureInfo.InvariantCulture) : null;
                return Results.Ok(new SubmissionPage(page.Take(limit).Select(QueuedSubmission.Of).ToList(), next));
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .Reads<SubmissionPage>("Submissions", "The moderation queue (staff): submissions in one state, oldest first, a page at a time.",
                StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .WithQuery(["state", "pledgeId", "limit", "cursor"]);

    public static void MapModerateSubmission(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/submissions/{id:guid}/acceptance", async (
                Guid id, [FromBody] AcceptSubmissionRequest? request, HttpContext http, IDocumentSession session, ISubmissionStore store,
                TimeProvider clock, CancellationToken ct) =>
            {
                if (request is null) return Problems.Validation("body", "A JSON body is required.");
                await using var submissions = store.LightweightSession();
                var stream = await submissions.Events.FetchForWriting<Submission>(id, ct);
                if (stream.Aggregate is not { } submission) return SubmissionNotFound(id);
                if (submission.State != SubmissionStates.Queued)
                    return Problems.Conflict($"The submission is {submission.State}: only a submission in the queue can be accepted.");

                var milestoneId = request.As == "milestone" ? LogMilestoneSlice.NewMilestoneId() : request.MilestoneId;
                var staff = http.User.StaffName();
                var result = await PledgeWrites.Handle(http, session, submission.PledgeId,
                    pledge => Decide(request, submission, pledge, milestoneId!, staff, clock.Today()), ct);
                if (result is not Ok<Pledge> ok) return result;
                // The pledge's record now credits the submission; then the submission is marked accepted. Were this step
                // lost, accepting again finds the credit and appends nothing to the pledge (Decide).
                stream.AppendOne(new SubmissionAccepted(id, submission.PledgeId, request.As!, milestoneId, ok.Value!.Version, staff, clock.GetUtcNow(),
                    submission.ConfirmedAt is not null));
                await submissions.SaveChangesAsync(ct);
                return result;
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .PledgeWrite("Accept a public submission as a milestone or as evidence on the pledge, crediting its submitter (If-Match: the pledge's ETag).")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithTags("Submissions");

        app.MapPost("/api/submissions/{id:guid}/rejection", async (
                Guid id, [FromBody] RejectSubmissionRequest? request, HttpContext http, ISubmissionStore store, TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                var reason = v.RequiredText("reason", request?.Reason, Validation.LongTextMax);
                if (!v.IsValid) return Problems.Validation(v);
                await using var submissions = store.LightweightSession();
                var stream = await submissions.Events.FetchForWriting<Submission>(id, ct);
                if (stream.Aggregate is not { } submission) return SubmissionNotFound(id);
                if (!submission.Open) return Problems.Conflict($"The submission is {submission.State} already.");
                var rejected = new SubmissionRejected(id, reason!, http.User.StaffName(), clock.GetUtcNow(), submission.ConfirmedAt is not null);
                stream.AppendOne(rejected);
                await submissions.SaveChangesAsync(ct);
                return Results.Ok(QueuedSubmission.Of(submission.Apply(rejected)));
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .WithTags("Submissions").WithSummary("Reject a public submission with a reason, which its submitter reads at the private link.")
            .Produces<QueuedSubmission>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                StatusCodes.Status409Conflict);
    }

    private static IResult SubmissionNotFound(Guid id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Submission not found.", detail: $"No submission has the id '{id}'.");
}
