using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Commitments.Http;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.ReviewingVerdicts;

/// <summary>Section "Review": how many editors other than the proposer must approve a verdict.</summary>
public sealed class ReviewOptions : IValidatedOptions
{
    public const string Section = "Review";

    /// <summary>
    /// Approvals a verdict (Kept, Compromise, Broken) needs before it is appended; 0 appends verdicts at once,
    /// as any other assessment. Each approval is by a different editor, none of them the proposer.
    /// </summary>
    public int VerdictApprovals { get; set; } = 1;

    public IEnumerable<string> Problems()
    {
        if (VerdictApprovals is < 0 or > 5) yield return "VerdictApprovals must be between 0 and 5.";
    }
}

/// <summary>The answer to a verdict that was made a proposal.</summary>
public record ProposalAccepted(string ProposalId, string Status);

public record RejectProposalRequest(string? Reason);

/// <summary>A review refused for a reason that is neither bad input nor a lost race: 403 (one's own proposal) or 409 (not open).</summary>
public sealed class ReviewRefused(int status, string title, string message, string? openProposalId = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? OpenProposalId { get; } = openProposalId;

    public IResult ToResult() => Results.Problem(statusCode: Status, title: Title, detail: Message,
        extensions: OpenProposalId is null ? null : new Dictionary<string, object?> { ["openProposalId"] = OpenProposalId });
}

/// <summary>
/// Two-person review of verdicts. With Review:VerdictApprovals ≥ 1, an assessment to Kept, Compromise or Broken
/// through the API becomes a <see cref="StatusProposed"/> carrying the whole assessment; approvals by other
/// editors append it (<see cref="StatusAssessed"/> with ProposalId, ProposedBy and ApprovedBy), a rejection
/// closes it (<see cref="ProposalRejected"/>).
/// A proposal is open while nothing but its own approvals follows it on the pledge's stream: a newer proposal,
/// a verdict, a rejection or any other write (a milestone, a progress step, a reply request, the overdue monitor)
/// closes it, and approving or rejecting it then answers 409. The seed and the import write verdicts directly:
/// they record history that was decided before, outside this desk.
/// </summary>
public static class VerdictReviewSlice
{
    public const string ProposalPrefix = "proposal-";

    public static bool NeedsReview(PledgeStatus to, ReviewOptions options) => options.VerdictApprovals >= 1 && Pledge.Settled.Contains(to);

    /// <summary>The assessment as decided, or its proposal when it needs review. The proposal's id is its stream version.</summary>
    public static object Route(StatusAssessed assessed, Pledge pledge, ReviewOptions options, DateOnly today) =>
        NeedsReview(assessed.To, options)
            ? new StatusProposed(assessed.PledgeId, ProposalPrefix + (pledge.Version + 1).ToString(CultureInfo.InvariantCulture), assessed,
                PartialDate.FromDate(today).ToString(), assessed.RecordedBy)
            : assessed;

    /// <summary>202 with the proposal's id when the write was a proposal; null (the pledge, 200) otherwise.</summary>
    public static IResult? Answer(IReadOnlyList<object> events, Pledge pledge) =>
        events is [StatusProposed p]
            ? Results.Accepted($"/api/pledges/{Uri.EscapeDataString(p.PledgeId)}/proposals/{p.ProposalId}", new ProposalAccepted(p.ProposalId, "proposed"))
            : null;

    public static long? VersionOf(string proposalId) =>
        proposalId.StartsWith(ProposalPrefix, StringComparison.Ordinal)
        && long.TryParse(proposalId.AsSpan(ProposalPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : null;

    /// <summary>
    /// An approval: refused for one's own proposal or a second approval by the same editor (403), and for a
    /// proposal that is not the pledge's open one (409). The last approval needed appends the verdict.
    /// </summary>
    public static object Decide(string proposalId, string approver, OpenProposal? open, Pledge pledge, ReviewOptions options, DateOnly today)
    {
        var proposal = EnsureOpen(proposalId, open, pledge);
        if (proposal.ProposedBy == approver)
            throw new ReviewRefused(StatusCodes.Status403Forbidden, "A proposal needs another editor.",
                $"{approver} proposed {proposalId}; another editor must approve it.");
        if (proposal.ApprovedBy.Contains(approver))
            throw new ReviewRefused(StatusCodes.Status403Forbidden, "Already approved by this editor.",
                $"{approver} has already approved {proposalId}; another editor must approve it.");
        var approvedBy = proposal.ApprovedBy.Append(approver).ToList();
        if (approvedBy.Count < options.VerdictApprovals)
            return new ProposalApproved(pledge.Id, proposalId, PartialDate.FromDate(today).ToString(), approver);
        return proposal.Event.Assessment with
        {
            RecordedBy = approver, ProposalId = proposalId, ProposedBy = proposal.ProposedBy, ApprovedBy = approvedBy,
        };
    }

    /// <summary>A rejection, by any editor (the proposer too: a withdrawal), of the open proposal only.</summary>
    public static ProposalRejected Decide(string proposalId, string reason, string rejecter, OpenProposal? open, Pledge pledge, DateOnly today)
    {
        var proposal = EnsureOpen(proposalId, open, pledge);
        return new ProposalRejected(pledge.Id, proposalId, proposal.Event.Assessment.To, reason, PartialDate.FromDate(today).ToString(), rejecter);
    }

    private static OpenProposal EnsureOpen(string proposalId, OpenProposal? open, Pledge pledge)
    {
        // The open proposal is read just before the write's transaction; its version must be the pledge's
        // still (the append then asserts that version, so a write in between is a 412).
        if (open is not null && open.ProposalId == proposalId && open.Version == pledge.Version) return open;
        throw new ReviewRefused(StatusCodes.Status409Conflict, "The proposal is no longer open.",
            $"{proposalId} is no longer open: the pledge was written to after it (it is at version {pledge.Version.ToString(CultureInfo.InvariantCulture)}). "
            + "Only the latest proposal, with nothing but its approvals after it, can be approved or rejected."
            + (open is not null && open.ProposalId != proposalId ? $" The open proposal is {open.ProposalId}." : ""),
            open?.ProposalId);
    }

    public static void MapVerdictReview(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/pledges/{id}/proposals/{proposalId}").RequireAuthorization(InternalAuth.StaffPolicy);

        group.MapPost("/approval", async (string id, string proposalId, HttpContext http, IDocumentSession session, ReviewOptions options,
                TimeProvider clock, CancellationToken ct) =>
            {
                var open = await Opened(session, id, proposalId, ct);
                if (open.Missing is { } missing) return missing;
                return await PledgeWrites.AppendAsync(http, session, id, null,
                    pledge => [Decide(proposalId, http.User.StaffName(), open.Proposal, pledge, options, clock.Today())], ct);
            })
            .ReviewWrite("Approve an open verdict proposal; the last approval needed appends the verdict (StatusAssessed with proposedBy and approvedBy).");

        group.MapPost("/rejection", async (string id, string proposalId, [FromBody] RejectProposalRequest? request, HttpContext http,
                IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
            {
                var v = new Validation();
                if (request is null) v.Add("body", "A JSON body is required.");
                var reason = request is null ? null : v.RequiredText("reason", request.Reason, Validation.LongTextMax);
                if (!v.IsValid) return Problems.Validation(v);
                var open = await Opened(session, id, proposalId, ct);
                if (open.Missing is { } missing) return missing;
                return await PledgeWrites.AppendAsync(http, session, id, null,
                    pledge => [Decide(proposalId, reason!, http.User.StaffName(), open.Proposal, pledge, clock.Today())], ct);
            })
            .ReviewWrite("Reject an open verdict proposal with a reason (ProposalRejected); the pledge's status stays as it was.");
    }

    /// <summary>The pledge's open proposal, or 404 when the pledge never had a proposal of that id.</summary>
    private static async Task<(OpenProposal? Proposal, IResult? Missing)> Opened(IDocumentSession session, string id, string proposalId, CancellationToken ct)
    {
        var open = await OpenProposals.ForPledgeAsync(session, id, ct);
        if (open is not null && open.ProposalId == proposalId) return (open, null);
        var notFound = Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Proposal not found.",
            detail: $"Pledge '{id}' has no proposal '{proposalId}'.");
        if (VersionOf(proposalId) is not { } version) return (null, notFound);
        var events = await session.Events.FetchStreamAsync(id, version: version, fromVersion: version, token: ct);
        return events is [{ Data: StatusProposed p }] && p.ProposalId == proposalId ? (open, null) : (null, notFound);
    }

    private static RouteHandlerBuilder ReviewWrite(this RouteHandlerBuilder builder, string summary) =>
        builder.WithTags("Review").WithSummary(summary).Produces<Pledge>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);
}
