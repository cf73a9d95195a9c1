namespace R2PTracker.Commitments.Submissions;

// A public submission is a stream of its own in a store of its own (schema "submissions", see
// SubmissionsConfiguration): nothing of it is in a pledge's stream, its hash chain, the transparency
// log, the feeds or the exports until staff accept it, and then only as an ordinary pledge event that
// credits it (Pledges.PublicCredit). The submitter's e-mail is in none of these events: it is kept in a
// SubmissionContact document only until the verdict notice is sent.

/// <summary>
/// A member of the public sent evidence about a pledge. <see cref="HasEmail"/>: an address was given, so the
/// submission counts only once its confirmation link is followed; <see cref="StatusTokenHash"/> is the SHA-256 of
/// the private status link's token (the token itself is only in the answer to the submitter).
/// </summary>
public record SubmissionReceived(
    Guid SubmissionId, string PledgeId, string Text, IReadOnlyList<string> Links, string? Name, bool HasEmail, string StatusTokenHash,
    DateTimeOffset ReceivedAt);

/// <summary>The submitter followed the link in the confirmation e-mail: the submission enters the moderation queue.</summary>
public record SubmissionConfirmed(Guid SubmissionId, DateTimeOffset ConfirmedAt);

/// <summary>
/// Staff accepted the submission as a milestone (<see cref="As"/> "milestone") or as evidence ("evidence") on the
/// pledge, at the pledge's <see cref="PledgeVersion"/>. <see cref="NotifySubmitter"/>: a confirmed address gets the verdict.
/// </summary>
public record SubmissionAccepted(
    Guid SubmissionId, string PledgeId, string As, string? MilestoneId, long PledgeVersion, string AcceptedBy, DateTimeOffset AcceptedAt,
    bool NotifySubmitter);

/// <summary>Staff rejected the submission with a reason, which the submitter reads at the private link (and by e-mail when confirmed).</summary>
public record SubmissionRejected(Guid SubmissionId, string Reason, string RejectedBy, DateTimeOffset RejectedAt, bool NotifySubmitter);

public static class SubmissionStates
{
    public const string AwaitingConfirmation = "awaitingConfirmation";
    public const string Queued = "queued";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";

    public static readonly string[] All = [AwaitingConfirmation, Queued, Accepted, Rejected];
}

/// <summary>A submission as it stands: the inline snapshot of its stream, which the queue and the status link read.</summary>
public sealed partial record Submission
{
    public Guid Id { get; init; }
    public string PledgeId { get; init; } = "";
    public string Text { get; init; } = "";
    public IReadOnlyList<string> Links { get; init; } = [];
    /// <summary>The name the submitter chose to be credited with; null: anonymous.</summary>
    public string? Name { get; init; }
    public bool HasEmail { get; init; }
    public string StatusTokenHash { get; init; } = "";
    public string State { get; init; } = SubmissionStates.Queued;
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
    /// <summary>When it entered the queue (at once without an e-mail, else on confirmation).</summary>
    public DateTimeOffset? QueuedAt { get; init; }
    public string? AcceptedAs { get; init; }
    public string? MilestoneId { get; init; }
    public string? Reason { get; init; }
    public string? ModeratedBy { get; init; }
    public DateTimeOffset? ModeratedAt { get; init; }

    public static Submission Create(SubmissionReceived e) => new()
    {
        Id = e.SubmissionId, PledgeId = e.PledgeId, Text = e.Text, Links = e.Links, Name = e.Name, HasEmail = e.HasEmail,
        StatusTokenHash = e.StatusTokenHash, ReceivedAt = e.ReceivedAt,
        State = e.HasEmail ? SubmissionStates.AwaitingConfirmation : SubmissionStates.Queued,
        QueuedAt = e.HasEmail ? null : e.ReceivedAt,
    };

    public Submission Apply(SubmissionConfirmed e) =>
        State == SubmissionStates.AwaitingConfirmation ? this with { State = SubmissionStates.Queued, ConfirmedAt = e.ConfirmedAt, QueuedAt = e.ConfirmedAt } : this;

    public Submission Apply(SubmissionAccepted e) => this with
    {
        State = SubmissionStates.Accepted, AcceptedAs = e.As, MilestoneId = e.MilestoneId, ModeratedBy = e.AcceptedBy, ModeratedAt = e.AcceptedAt,
    };

    public Submission Apply(SubmissionRejected e) => this with
    {
        State = SubmissionStates.Rejected, Reason = e.Reason, ModeratedBy = e.RejectedBy, ModeratedAt = e.RejectedAt,
    };

    /// <summary>Whether staff may still accept or reject it: once, while it waits (in the queue or for its confirmation).</summary>
    public bool Open => State is SubmissionStates.Queued or SubmissionStates.AwaitingConfirmation;
}

/// <summary>
/// The submitter's address and the confirmation link's token, apart from the events so that both can be deleted:
/// once the verdict notice has gone (or no notice is due), the document is deleted.
/// </summary>
public sealed record SubmissionContact
{
    public Guid Id { get; init; }
    public required string Email { get; init; }
    public required string ConfirmToken { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
