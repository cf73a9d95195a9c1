using System.Collections.Immutable;

namespace R2PTracker.Commitments.Pledges;

public record MilestoneState(string Id, string Title, string Description, string OccurredOn, int EvidenceCount, bool Retracted);

/// <summary>The translation of one text that counts now: the latest for its text and language.</summary>
public record TextTranslation(string Text, string Translator, string Kind, SourceCitation? Source, string OccurredOn, string RecordedBy);

public record MilestoneTranslations(TextTranslation? Title, TextTranslation? Description);

/// <summary>A pledge's texts in one language; a text not (or no longer) translated is null or absent.</summary>
public record LanguageTranslations(TextTranslation? Title, TextTranslation? Quote, IReadOnlyDictionary<string, MilestoneTranslations> Milestones)
{
    public static readonly LanguageTranslations None = new(null, null, new Dictionary<string, MilestoneTranslations>());

    /// <summary>The translation of the reason given with the current status.</summary>
    public TextTranslation? StatusReason { get; init; }

    /// <summary>The translation of the text a target names (see <see cref="TranslationAdded"/>), if any.</summary>
    public TextTranslation? Of(string? milestoneId, string field) => (milestoneId, field) switch
    {
        (null, "title") => Title,
        (null, TranslationAdded.StatusReasonField) => StatusReason,
        (null, _) => Quote,
        ({ } id, "title") => Milestones.GetValueOrDefault(id)?.Title,
        ({ } id, _) => Milestones.GetValueOrDefault(id)?.Description,
    };

    public LanguageTranslations WithMilestone(string milestoneId, Func<MilestoneTranslations, MilestoneTranslations> change) =>
        this with
        {
            Milestones = new Dictionary<string, MilestoneTranslations>(Milestones)
            {
                [milestoneId] = change(Milestones.GetValueOrDefault(milestoneId) ?? new MilestoneTranslations(null, null)),
            },
        };
}

/// <summary>A response given to a reply request.</summary>
public record ReplyGiven(string OnBehalfOf, string Text, SourceCitation? Source, string RepliedOn, string RecordedBy);

/// <summary>A request for a response to a verdict (right of reply), and the response once recorded.</summary>
public record ReplyRequest(
    string Id, string To, string By, string? Note, PledgeStatus Verdict, string? VerdictSince, string RequestedOn, string RequestedBy,
    ReplyGiven? Reply);

/// <summary>The current state of a pledge: the inline snapshot of its event stream.</summary>
public sealed partial record Pledge
{
    public static readonly PledgeStatus[] Settled = [PledgeStatus.Kept, PledgeStatus.Compromise, PledgeStatus.Broken];

    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Quote { get; init; }
    public required string Actor { get; init; }
    public required string Country { get; init; }
    public required string MadeOn { get; init; }
    public string? MadeOnNote { get; init; }
    public string? TargetDate { get; init; }
    public string? TargetDateNote { get; init; }
    public string? Theme { get; init; }
    public required SourceCitation Source { get; init; }
    public PledgeStatus Status { get; init; } = PledgeStatus.NotYetRated;
    public string? StatusReason { get; init; }
    public string? StatusSince { get; init; }
    public int Progress { get; init; }
    public string? ProgressReason { get; init; }

    /// <summary>Milestones that count (retracted ones are left out).</summary>
    public int MilestoneCount { get; init; }

    public IReadOnlyList<MilestoneState> Milestones { get; init; } = ImmutableList<MilestoneState>.Empty;
    public int EvidenceCount { get; init; }

    /// <summary>True once the current target date passed unfulfilled (set by PledgeBecameOverdue, reset by a new target).</summary>
    public bool Overdue { get; init; }
    public string? OverdueSince { get; init; }

    /// <summary>Null while the pledge has not been screened (registered without one, and not assessed since).</summary>
    public Verifiability? Verifiability { get; init; }
    public string? VerifiabilityReason { get; init; }
    public string? VerifiabilitySince { get; init; }

    /// <summary>The coded reason of the current status (a Stalled or Broken verdict); null for any other, and for older verdicts.</summary>
    public StatusReasonCode? StatusReasonCode { get; init; }

    /// <summary>Every request for a response (right of reply), oldest first, each with its reply once given.</summary>
    public IReadOnlyList<ReplyRequest> ReplyRequests { get; init; } = [];

    /// <summary>By language code: the translations of the texts above (see <see cref="TranslationAdded"/>).</summary>
    public IReadOnlyDictionary<string, LanguageTranslations> Translations { get; init; } = new Dictionary<string, LanguageTranslations>();

    /// <summary>The stream version, set by Marten after each event.</summary>
    public long Version { get; set; }

    public static Pledge Create(PledgeRegistered e) => new()
    {
        Id = e.PledgeId,
        Title = e.Title,
        Quote = e.Quote,
        Actor = e.Actor,
        Country = e.Country,
        MadeOn = e.MadeOn,
        MadeOnNote = e.MadeOnNote,
        TargetDate = e.TargetDate,
        TargetDateNote = e.TargetDateNote,
        Theme = e.Theme,
        Source = e.Source,
        EvidenceCount = e.Source.Url is null ? 0 : 1,
        Verifiability = e.Verifiability,
        VerifiabilityReason = e.Verifiability is null ? null : e.VerifiabilityReason,
        VerifiabilitySince = e.Verifiability is null ? null : e.MadeOn,
    };

    public MilestoneState? Milestone(string id) => Milestones.FirstOrDefault(m => m.Id == id);

    // Milestones are kept in an immutable list so that folding a long stream does not copy the
    // whole list at each step; the counts are kept as running totals for the same reason.
    public Pledge Apply(MilestoneLogged e)
    {
        var logged = new MilestoneState(e.MilestoneId, e.Title, e.Description, e.OccurredOn, e.Evidence.Count, false);
        return Credited(e.Credit) with
        {
            Milestones = MilestoneList.Add(logged),
            MilestoneCount = MilestoneCount + 1,
            EvidenceCount = EvidenceCount + e.Evidence.Count,
        };
    }

    public Pledge Apply(MilestoneCorrected e)
    {
        // A translation is of the text as it stood: a corrected text is no longer what it translates.
        var before = Milestone(e.MilestoneId);
        var pledge = before is null ? this : WithoutTranslations(l => l.Milestones.ContainsKey(e.MilestoneId)
            ? l.WithMilestone(e.MilestoneId, m => new MilestoneTranslations(
                before.Title == e.Title ? m.Title : null, before.Description == e.Description ? m.Description : null))
            : l);
        return pledge.WithMilestone(e.MilestoneId,
            m => m with { Title = e.Title, Description = e.Description, OccurredOn = e.OccurredOn, EvidenceCount = e.Evidence.Count });
    }

    public Pledge Apply(MilestoneRetracted e) => WithMilestone(e.MilestoneId, m => m with { Retracted = true });

    public Pledge Apply(EvidenceAttached e)
    {
        var pledge = e.MilestoneId is null
            ? Credited(e.Credit)
            : Credited(e.Credit).WithMilestone(e.MilestoneId, m => m with { EvidenceCount = m.EvidenceCount + e.Evidence.Count });
        return pledge with { EvidenceCount = EvidenceCount + e.Evidence.Count };
    }

    // Kept means fulfilled: progress goes to 100 (see README, "Kept implies 100").
    // A new status comes with its own reason: the translation of the one before no longer counts.
    public Pledge Apply(StatusAssessed e) => (e.Reason == StatusReason ? this : WithoutTranslations(l => l with { StatusReason = null })) with
    {
        Status = e.To,
        StatusReason = e.Reason,
        StatusSince = e.OccurredOn,
        StatusReasonCode = e.ReasonCode,
        Progress = e.To == PledgeStatus.Kept ? 100 : Progress,
        EvidenceCount = EvidenceCount + e.Evidence.Count,
    };

    public Pledge Apply(ProgressAssessed e) => this with
    {
        Progress = e.To,
        ProgressReason = e.Reason,
        EvidenceCount = EvidenceCount + e.Evidence.Count,
    };

    public Pledge Apply(TargetDateSet e) => this with
    {
        TargetDate = e.TargetDate,
        TargetDateNote = e.Note,
        Overdue = false,
        OverdueSince = null,
    };

    public Pledge Apply(PledgeDetailsRevised e) => WithoutTranslations(l => l with
    {
        Title = e.Title is null || e.Title == Title ? l.Title : null,
        Quote = e.Quote is null || e.Quote == Quote ? l.Quote : null,
    }) with
    {
        Title = e.Title ?? Title,
        Quote = e.Quote ?? Quote,
        Actor = e.Actor ?? Actor,
        Theme = e.Theme ?? Theme,
    };

    /// <summary>
    /// Counts only while the text is still the one translated, so that every fold order (the occurred
    /// axis folds by date) agrees with a revision that came after it.
    /// </summary>
    public Pledge Apply(TranslationAdded e)
    {
        if (OriginalOf(e.MilestoneId, e.Field) != e.Original) return this;
        var translation = new TextTranslation(e.Text, e.Translator, e.Kind, e.Source, e.OccurredOn, e.RecordedBy);
        var language = Translations.GetValueOrDefault(e.Language) ?? LanguageTranslations.None;
        language = (e.MilestoneId, e.Field) switch
        {
            (null, "title") => language with { Title = translation },
            (null, TranslationAdded.StatusReasonField) => language with { StatusReason = translation },
            (null, _) => language with { Quote = translation },
            ({ } id, "title") => language.WithMilestone(id, m => m with { Title = translation }),
            ({ } id, _) => language.WithMilestone(id, m => m with { Description = translation }),
        };
        return this with { Translations = new Dictionary<string, LanguageTranslations>(Translations) { [e.Language] = language } };
    }

    /// <summary>The verbatim text a translation target names, or null if the pledge has no such text.</summary>
    public string? OriginalOf(string? milestoneId, string field) => (milestoneId, field) switch
    {
        (null, "title") => Title,
        (null, "quote") => Quote,
        (null, TranslationAdded.StatusReasonField) => StatusReason,
        ({ } id, "title") => Milestone(id)?.Title,
        ({ } id, "description") => Milestone(id)?.Description,
        _ => null,
    };

    private Pledge WithoutTranslations(Func<LanguageTranslations, LanguageTranslations> change) =>
        Translations.Count == 0 ? this : this with { Translations = Translations.ToDictionary(t => t.Key, t => change(t.Value)) };

    public Pledge Apply(PledgeBecameOverdue e) => this with { Overdue = true, OverdueSince = e.OccurredOn };

    public Pledge Apply(ReplyRequested e) => this with
    {
        ReplyRequests = [.. ReplyRequests, new ReplyRequest(e.RequestId, e.To, e.By, e.Note, e.Verdict, e.VerdictSince, e.OccurredOn, e.RecordedBy, null)],
    };

    /// <summary>
    /// The reply joins its request. On the occurred axis a reply is folded after its request (a reply is
    /// never dated before the day it was asked for); one whose request is not there is left out.
    /// </summary>
    public Pledge Apply(ReplyRecorded e) => this with
    {
        ReplyRequests = ReplyRequests.Select(r => r.Id == e.RequestId
            ? r with { Reply = new ReplyGiven(e.OnBehalfOf, e.Text, e.Source, e.OccurredOn, e.RecordedBy) }
            : r).ToList(),
    };

    public Pledge Apply(VerifiabilityAssessed e) => this with
    {
        Verifiability = e.To,
        VerifiabilityReason = e.Reason,
        VerifiabilitySince = e.OccurredOn,
    };

    public ReplyRequest? ReplyRequest(string id) => ReplyRequests.FirstOrDefault(r => r.Id == id);

    // Review: a proposal, an approval short of the verdict, or a rejection changes nothing the pledge shows (the
    // verdict is a StatusAssessed). Applied all the same, so that Marten moves the snapshot's Version on with the stream.
    public Pledge Apply(StatusProposed e) => this with { };

    public Pledge Apply(ProposalApproved e) => this with { };

    public Pledge Apply(ProposalRejected e) => this with { };
    /// <summary>The public submissions this record took a milestone or evidence from (see <see cref="PublicCredit"/>), by id.</summary>
    public IReadOnlyList<string> CreditedSubmissions { get; init; } = [];

    private Pledge Credited(PublicCredit? credit) =>
        credit is null ? this : this with { CreditedSubmissions = [.. CreditedSubmissions, credit.SubmissionId] };

    private ImmutableList<MilestoneState> MilestoneList =>
        Milestones as ImmutableList<MilestoneState> ?? ImmutableList.CreateRange(Milestones);

    private Pledge WithMilestone(string milestoneId, Func<MilestoneState, MilestoneState> change)
    {
        var list = MilestoneList;
        var index = list.FindIndex(m => m.Id == milestoneId);
        if (index < 0) return this;
        var before = list[index];
        var after = change(before);
        var counted = (before.Retracted ? 0 : 1) - (after.Retracted ? 0 : 1);
        return this with { Milestones = list.SetItem(index, after), MilestoneCount = MilestoneCount - counted };
    }
}

/// <summary>
/// Kept out of <see cref="Pledge"/> on purpose: Marten treats a method named Evolve on the
/// aggregate as its whole projection.
/// </summary>
public static class PledgeFolding
{
    /// <summary>One fold step for any pledge event, used by the as-of reads.</summary>
    public static Pledge Then(this Pledge pledge, object e) => e switch
    {
        MilestoneLogged x => pledge.Apply(x),
        MilestoneCorrected x => pledge.Apply(x),
        MilestoneRetracted x => pledge.Apply(x),
        EvidenceAttached x => pledge.Apply(x),
        StatusAssessed x => pledge.Apply(x),
        ProgressAssessed x => pledge.Apply(x),
        TargetDateSet x => pledge.Apply(x),
        PledgeDetailsRevised x => pledge.Apply(x),
        PledgeBecameOverdue x => pledge.Apply(x),
        TranslationAdded x => pledge.Apply(x),
        ReplyRequested x => pledge.Apply(x),
        ReplyRecorded x => pledge.Apply(x),
        VerifiabilityAssessed x => pledge.Apply(x),
        _ => pledge,
    };
}
