namespace R2PTracker.Contracts;

/// <summary>
/// A public submission entered the moderation queue (at once, or once its e-mail was confirmed). For staff alerts
/// (<c>submission.received</c>): it says which pledge and when, and nothing of what was submitted — no text, no name,
/// no address; staff read those in the queue. StreamVersion is the submission stream's; RecordedBy is "public".
/// </summary>
public record SubmissionReceived(
    Guid EventId, string PledgeId, long StreamVersion, string OccurredOn, DateTimeOffset RecordedAt, string RecordedBy,
    Guid SubmissionId, int LinkCount) : IPledgeIntegrationEvent;

/// <summary>
/// Send the confirmation mail of a submission to <paramref name="Email"/>: its link confirms with
/// <paramref name="Token"/>. The only message that carries a submitter's address besides <see cref="SubmissionModerated"/>.
/// </summary>
public record SubmissionConfirmationRequested(Guid EventId, Guid SubmissionId, string PledgeId, string Email, string Token, DateTimeOffset RecordedAt);

/// <summary>Send the verdict on a confirmed submission to its submitter: "accepted" or "rejected" (with the reason).</summary>
public record SubmissionModerated(
    Guid EventId, Guid SubmissionId, string PledgeId, string Email, string Verdict, string? Reason, DateTimeOffset RecordedAt);
