using JasperFx.Events;
using Marten;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Pledges.GettingTimeline;

/// <summary>
/// One entry per event, with what a reader is shown as fields of its own, so that no client has to
/// read <c>data</c> (the event as stored, kept for those who want it). Fields an event does not have
/// are null: <c>status</c>/<c>statusFrom</c> only on a status assessment, <c>progress</c>/<c>progressFrom</c>
/// only on a progress assessment, <c>targetDate</c> only on a target date set or passed. Corrections and
/// retractions carry <c>corrects</c> (the version of the milestone they amend); a milestone lists the
/// versions that amended it in <c>correctedBy</c>. <c>hash</c> is the event's link in the hash chain;
/// <c>logIndex</c> its index in the transparency log (null until the log has taken it, a moment after the append).
/// </summary>
public record TimelineEntry(
    long Version, string Type, string? OccurredOn, DateTimeOffset RecordedAt, string RecordedBy, string Actor,
    string? Title, string? Summary, string? Reason, string? StatusFrom, string? Status, int? ProgressFrom, int? Progress,
    string? TargetDate, IReadOnlyList<Evidence> Evidence, string? MilestoneId, long? Corrects, IReadOnlyList<long> CorrectedBy,
    bool Retracted, string? Hash, object Data, long? LogIndex = null, PublicCredit? Credit = null)
{
    /// <summary>On a verdict decided by two-person review: who proposed it and who approved it (null on any other entry).</summary>
    public string? ProposedBy { get; init; }

    public IReadOnlyList<string>? ApprovedBy { get; init; }
}

/// <summary>The fields of an entry that only some event types have.</summary>
public readonly record struct TimelineText(
    string? Title = null, string? Summary = null, string? StatusFrom = null, string? Status = null,
    int? ProgressFrom = null, int? Progress = null, string? TargetDate = null)
{
    /// <summary>What a reader is told of an event beyond what the shared event interfaces say.</summary>
    public static TimelineText Of(object data) => data switch
    {
        PledgeRegistered r => new(Title: r.Title, Summary: r.Quote, TargetDate: r.TargetDate),
        MilestoneLogged m => new(Title: m.Title, Summary: m.Description),
        MilestoneCorrected c => new(Title: c.Title, Summary: c.Description),
        StatusAssessed s => new(StatusFrom: s.From.ToString(), Status: s.To.ToString()),
        ProgressAssessed p => new(ProgressFrom: p.From, Progress: p.To),
        PledgeDetailsRevised d => new(Title: d.Title, Summary: Changed(d)),
        TargetDateSet t => new(Summary: t.Note, TargetDate: t.TargetDate),
        PledgeBecameOverdue o => new(TargetDate: o.TargetDate),
        TranslationAdded t => new(Title: t.Text, Summary: Translated(t)),
        // Right of reply: whom staff asked, by when (TargetDate holds the deadline); whose reply it is, and what it says.
        ReplyRequested q => new(Title: q.To, Summary: q.Note, TargetDate: q.By),
        ReplyRecorded r => new(Title: r.OnBehalfOf, Summary: r.Text),
        // Verifiability: the new rating is the title (the reason is the entry's reason).
        VerifiabilityAssessed a => new(Title: a.To.ToString(), Summary: a.From?.ToString()),
        // Review: the proposed verdict is the title, not the status (a proposal changes no status).
        StatusProposed p => new(Title: p.Assessment.To.ToString(), Summary: p.Assessment.Reason),
        ProposalApproved a => new(Title: a.ProposalId),
        ProposalRejected r => new(Title: r.Status.ToString()),
        _ => new(),
    };


    /// <summary>Who translated what into which language, in English (the feeds say it in their language too).</summary>
    public static string Translated(TranslationAdded t) => Feeds.FeedText.InEnglish.Translated(t);

    private static string Changed(PledgeDetailsRevised d) => string.Join(", ",
        new[] { ("title", d.Title), ("quote", d.Quote), ("actor", d.Actor), ("theme", d.Theme) }.Where(f => f.Item2 is not null).Select(f => f.Item1));
}

public static class GetTimelineSlice
{
    private static IReadOnlyList<Evidence> EvidenceOf(object data) => (data as IEvidenceEvent)?.Evidence ?? [];

    private static string? MilestoneOf(object data) => (data as IMilestoneEvent)?.MilestoneId;

    /// <summary>Whom a milestone or evidence from a public submission credits.</summary>
    private static PublicCredit? CreditOf(object data) => data switch
    {
        MilestoneLogged m => m.Credit,
        EvidenceAttached a => a.Credit,
        _ => null,
    };

    /// <summary>Ordered by occurred-on as the as-of reads count it (last day, then first day), then version.
    /// A retraction has no date of its own: it sits at the date of the milestone it withdraws.</summary>
    public static List<TimelineEntry> Build(IReadOnlyList<IEvent> events)
    {
        var ordered = events.OrderBy(e => e.Version).ToList();
        var loggedAt = new Dictionary<string, IEvent>();
        var amendments = new Dictionary<string, List<long>>();
        var retracted = new HashSet<string>();
        foreach (var e in ordered)
        {
            switch (e.Data)
            {
                case MilestoneLogged m: loggedAt[m.MilestoneId] = e; break;
                case MilestoneCorrected c: Add(c.MilestoneId, e.Version); break;
                case MilestoneRetracted r: Add(r.MilestoneId, e.Version); retracted.Add(r.MilestoneId); break;
            }
        }
        var actor = ordered.Count > 0 && ordered[0].Data is PledgeRegistered registered ? registered.Actor : "";

        var entries = ordered.Select(e =>
        {
            var milestoneId = MilestoneOf(e.Data);
            var occurredOn = PledgeAsOf.OccurredOn(e.Data)
                             ?? (milestoneId is not null && loggedAt.TryGetValue(milestoneId, out var logged) ? PledgeAsOf.OccurredOn(logged.Data) : null);
            long? corrects = e.Data is MilestoneCorrected or MilestoneRetracted && milestoneId is not null && loggedAt.TryGetValue(milestoneId, out var original)
                ? original.Version : null;
            IReadOnlyList<long> correctedBy = e.Data is MilestoneLogged && milestoneId is not null && amendments.TryGetValue(milestoneId, out var list) ? list : [];
            var text = TimelineText.Of(e.Data);
            return new TimelineEntry(e.Version, e.Data.GetType().Name, occurredOn, e.Timestamp, PledgeAsOf.RecordedBy(e.Data) ?? "unknown",
                actor, text.Title, text.Summary, (e.Data as IReasonedEvent)?.Reason, text.StatusFrom, text.Status, text.ProgressFrom, text.Progress,
                text.TargetDate, EvidenceOf(e.Data), milestoneId, corrects, correctedBy,
                e.Data is MilestoneLogged && milestoneId is not null && retracted.Contains(milestoneId),
                e.GetHeader(EventChain.HashHeader)?.ToString(), e.Data, Credit: CreditOf(e.Data))
            {
                ProposedBy = (e.Data as StatusAssessed)?.ProposedBy, ApprovedBy = (e.Data as StatusAssessed)?.ApprovedBy,
            };
        });
        return entries
            .OrderBy(t => t.OccurredOn is null ? DateOnly.MaxValue : PartialDate.Parse(t.OccurredOn).Latest)
            .ThenBy(t => t.OccurredOn is null ? DateOnly.MaxValue : PartialDate.Parse(t.OccurredOn).Earliest)
            .ThenBy(t => t.Version)
            .ToList();

        void Add(string id, long version)
        {
            if (!amendments.TryGetValue(id, out var list)) amendments[id] = list = [];
            list.Add(version);
        }
    }

    public static void MapGetTimeline(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/pledges/{id}/timeline", async (string id, IQuerySession session, Npgsql.NpgsqlDataSource db, CancellationToken ct) =>
        {
            var events = await session.Events.FetchStreamAsync(id, token: ct);
            if (events.Count == 0) return Problems.NotFound(id);
            var indices = await Log.LogStore.IndicesOfAsync(db, id, ct);
            return Results.Ok(Build(events).Select(e => e with { LogIndex = indices.TryGetValue(e.Version, out var i) ? i : null }));
        })
        .Reads<TimelineEntry[]>("Pledges", "A pledge's timeline: every change, when it happened and when it was recorded.", StatusCodes.Status404NotFound);
}
