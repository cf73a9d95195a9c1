using System.Globalization;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Contracts = R2PTracker.Contracts;

namespace R2PTracker.Commitments.Submissions;

/// <summary>
/// The submissions' daemon subscription: sends what the notifications service acts on, at least once (message id =
/// event id): the confirmation mail's request when an address is given, the staff alert when a submission enters the
/// queue, and the verdict notice for a confirmed address — after which the address is deleted. Nothing of it goes to
/// the pledges' subscribers, caches or live pages.
/// </summary>
public sealed class SubmissionForwarder : SubscriptionBase
{
    private readonly IBus _bus;

    public SubmissionForwarder(IBus bus)
    {
        _bus = bus;
        Name = "submission-forwarder";
        IncludeType<SubmissionReceived>();
        IncludeType<SubmissionConfirmed>();
        IncludeType<SubmissionAccepted>();
        IncludeType<SubmissionRejected>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case SubmissionReceived { HasEmail: true } r:
                    if (await operations.LoadAsync<SubmissionContact>(r.SubmissionId, ct) is { } contact)
                        await PublishAsync(e, new Contracts.SubmissionConfirmationRequested(e.Id, r.SubmissionId, r.PledgeId, contact.Email,
                            contact.ConfirmToken, e.Timestamp), ct);
                    break;
                case SubmissionReceived r:
                    await PublishAsync(e, Received(e, r.SubmissionId, r.PledgeId, r.Links.Count), ct);
                    break;
                case SubmissionConfirmed c:
                    if (await operations.Events.AggregateStreamAsync<Submission>(c.SubmissionId, e.Version, token: ct) is { } confirmed)
                        await PublishAsync(e, Received(e, c.SubmissionId, confirmed.PledgeId, confirmed.Links.Count), ct);
                    break;
                case SubmissionAccepted a:
                    await VerdictAsync(e, a.SubmissionId, a.PledgeId, "accepted", null, a.NotifySubmitter, operations, ct);
                    break;
                case SubmissionRejected j:
                    var pledgeId = (await operations.LoadAsync<Submission>(j.SubmissionId, ct))?.PledgeId ?? "";
                    await VerdictAsync(e, j.SubmissionId, pledgeId, "rejected", j.Reason, j.NotifySubmitter, operations, ct);
                    break;
            }
        }
        return NullChangeListener.Instance;
    }

    private static Contracts.SubmissionReceived Received(IEvent e, Guid submissionId, string pledgeId, int links) =>
        new(e.Id, pledgeId, e.Version, e.Timestamp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), e.Timestamp, "public", submissionId, links);

    /// <summary>The verdict notice goes to a confirmed address; then the address is deleted (with this page's progress).</summary>
    private async Task VerdictAsync(IEvent e, Guid id, string pledgeId, string verdict, string? reason, bool notify, IDocumentOperations operations,
        CancellationToken ct)
    {
        var contact = await operations.LoadAsync<SubmissionContact>(id, ct);
        if (contact is null) return;
        if (notify) await PublishAsync(e, new Contracts.SubmissionModerated(e.Id, id, pledgeId, contact.Email, verdict, reason, e.Timestamp), ct);
        operations.Delete<SubmissionContact>(id);
    }

    private Task PublishAsync<T>(IEvent e, T message, CancellationToken ct) where T : class =>
        _bus.Publish(message, ctx => ctx.MessageId = e.Id, ct);
}
