using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Localization;

namespace R2PTracker.Gateway.Dashboard;

public sealed record SourceView(string? Title, string? Publisher, string? PublishedOn, string? Url, string? Note);

public sealed record PledgeView(
    string Id, string Title, string? Quote, string? Actor, string? Country, string? Theme, string? MadeOn, string? MadeOnNote,
    string? TargetDate, string? TargetDateNote, string Status, string? StatusReason, string? StatusSince,
    int Progress, long Version, SourceView? Source, int MilestoneCount,
    IReadOnlyDictionary<string, LanguageTranslationsView>? Translations = null, string? TitleLanguage = null,
    IReadOnlyList<ReplyRequestView>? ReplyRequests = null,
    string? Verifiability = null, string? VerifiabilityReason = null, string? VerifiabilitySince = null, string? StatusReasonCode = null)
{
    /// <summary>The requests for a response to the verdict the pledge has now (right of reply), oldest first.</summary>
    public IEnumerable<ReplyRequestView> RepliesToVerdict =>
        (ReplyRequests ?? []).Where(r => r.Verdict == Status && r.VerdictSince == StatusSince);

    /// <summary>The requests still waiting for their reply (the staff form records one).</summary>
    public IEnumerable<ReplyRequestView> OpenReplyRequests => (ReplyRequests ?? []).Where(r => r.Reply is null);

    /// <summary>The language of <see cref="Title"/> when it is a translation (a list read in a language), else null: the original.</summary>
    public string? TranslatedTitleLanguage => TitleLanguage is { } l && TranslationText.Languages.Contains(l) ? l : null;

    /// <summary>The translation <see cref="Title"/> is, on a list read in a language.</summary>
    public TextTranslationView? TitleTranslation => TranslatedTitleLanguage is { } l ? Translations?.GetValueOrDefault(l)?.Title : null;

    /// <summary>The translations of the title or (<paramref name="quote"/>) the quote, by language, in the order of <see cref="TranslationText.Languages"/>.</summary>
    public IEnumerable<(string Language, TextTranslationView Translation)> TranslationsOf(bool quote) => TranslationsOf(l => quote ? l.Quote : l.Title);

    /// <summary>The translations of the reason given with the current status.</summary>
    public IEnumerable<(string Language, TextTranslationView Translation)> TranslationsOfStatusReason() => TranslationsOf(l => l.StatusReason);

    /// <summary>The translations of a milestone's title or (<paramref name="description"/>) description.</summary>
    public IEnumerable<(string Language, TextTranslationView Translation)> TranslationsOfMilestone(string milestoneId, bool description) =>
        TranslationsOf(l => l.Milestones?.GetValueOrDefault(milestoneId) is { } m ? (description ? m.Description : m.Title) : null);

    private IEnumerable<(string Language, TextTranslationView Translation)> TranslationsOf(Func<LanguageTranslationsView, TextTranslationView?> text) =>
        TranslationText.Languages
            .Select(language => (language, Translations?.GetValueOrDefault(language) is { } l ? text(l) : null))
            .Where(t => t.Item2 is not null)
            .Select(t => (t.language, t.Item2!));
}

/// <summary>One translated text of a pledge as commitments gives it (see its README, "Translations of pledge texts").</summary>
public sealed record TextTranslationView(string Text, string? Translator, string? Kind);

public sealed record MilestoneTranslationsView(TextTranslationView? Title, TextTranslationView? Description);

public sealed record LanguageTranslationsView(
    TextTranslationView? Title, TextTranslationView? Quote, TextTranslationView? StatusReason = null,
    IReadOnlyDictionary<string, MilestoneTranslationsView>? Milestones = null);

public static class TranslationText
{
    /// <summary>The languages a text may be translated into, in the order the page shows them.</summary>
    public static readonly IReadOnlyList<string> Languages = ["km", "en"];

    /// <summary>A language's name in the reader's language ("Khmer", "ខ្មែរ").</summary>
    public static string Name(IStringLocalizer t, string language) =>
        Languages.Contains(language) ? t["Language." + language] : language;

    /// <summary>"Khmer translation (unofficial) by Sok Dara", in the reader's language.</summary>
    public static string Label(IStringLocalizer t, string language, TextTranslationView translation)
    {
        string kind = t[translation.Kind == "official" ? "Translation.Official" : "Translation.Unofficial"];
        return translation.Translator is null
            ? t["Translation.Label", Name(t, language), kind]
            : t["Translation.Label.By", Name(t, language), kind, translation.Translator];
    }
}

public sealed record EvidenceView(string? Title, string? Url, string? PublishedOn);

public sealed record ReplyGivenView(string OnBehalfOf, string Text, SourceView? Source, string RepliedOn, string? RecordedBy);

/// <summary>A request for a response to a verdict, as commitments records it (see its README, "Right of reply").</summary>
public sealed record ReplyRequestView(
    string Id, string To, string By, string? Note, string Verdict, string? VerdictSince, string RequestedOn, string? RequestedBy, ReplyGivenView? Reply)
{
    /// <summary>True once the deadline's last day has passed without a reply.</summary>
    public bool Missed(DateOnly today) => Reply is null && SeriesRange.LastDayOf(By) is { } deadline && today > deadline;
}

/// <summary>A timeline entry: the display fields commitments gives each event (its raw data is not read).</summary>
public sealed record TimelineView(
    long Version, string Type, string? OccurredOn, DateTimeOffset? RecordedAt, string? RecordedBy,
    string? Title, string? Summary, string? Reason, string? StatusFrom, string? Status, int? ProgressFrom, int? Progress,
    string? TargetDate, IReadOnlyList<EvidenceView>? Evidence, bool Retracted, long? Corrects, long? LogIndex = null, string? MilestoneId = null,
    CreditView? Credit = null)
{
    /// <summary>On a verdict decided by review: who proposed it, and who approved it.</summary>
    public string? ProposedBy { get; init; }

    public IReadOnlyList<string>? ApprovedBy { get; init; }

    /// <summary>
    /// The entries that hold each milestone's texts as they stand (its latest logging or correction, unless
    /// retracted): the texts its translations translate, so the page shows them there.
    /// </summary>
    public static IReadOnlySet<long> CurrentMilestoneTexts(IEnumerable<TimelineView> timeline)
    {
        var entries = timeline.Where(e => e.MilestoneId is not null).ToList();
        var retracted = entries.Where(e => e.Type == "MilestoneRetracted").Select(e => e.MilestoneId!).ToHashSet(StringComparer.Ordinal);
        return entries.Where(e => e.Type is "MilestoneLogged" or "MilestoneCorrected" && !retracted.Contains(e.MilestoneId!))
            .GroupBy(e => e.MilestoneId!, StringComparer.Ordinal)
            .Select(g => g.MaxBy(e => e.Version)!.Version)
            .ToHashSet();
    }

    /// <summary>The entry's heading on the pledge page, in the reader's language (titles and summaries are data, as written).</summary>
    public string Headline(IStringLocalizer t) => Type switch
    {
        "PledgeRegistered" => t["Timeline.PledgeRegistered"],
        "StatusAssessed" => t["Timeline.StatusAssessed", StatusText.Label(t, StatusFrom ?? "?"), StatusText.Label(t, Status ?? "?")],
        "ProgressAssessed" => t["Timeline.ProgressAssessed", ProgressFrom ?? 0, Progress ?? 0],
        "MilestoneLogged" => Title ?? t["Timeline.Milestone"],
        "MilestoneCorrected" => Title is null ? t["Timeline.MilestoneCorrected"] : t["Timeline.MilestoneCorrected.Titled", Title],
        "MilestoneRetracted" => t["Timeline.MilestoneRetracted"],
        "EvidenceAttached" => t["Timeline.EvidenceAttached"],
        "TargetDateSet" => t["Timeline.TargetDateSet", Localisation.ReaderDates.Partial(TargetDate)],
        "PledgeBecameOverdue" => t["Timeline.PledgeBecameOverdue", Localisation.ReaderDates.Partial(TargetDate)],
        "PledgeDetailsRevised" => Summary is null ? t["Timeline.PledgeDetailsRevised"] : t["Timeline.PledgeDetailsRevised.Summary", Summary],
        "TranslationAdded" => Summary ?? t["Timeline.TranslationAdded"],
        "ReplyRequested" => t["Timeline.ReplyRequested", Title ?? "?", Localisation.ReaderDates.Partial(TargetDate)],
        "ReplyRecorded" => t["Timeline.ReplyRecorded", Title ?? "?"],
        "VerifiabilityAssessed" => t["Timeline.VerifiabilityAssessed", VerifiabilityText.Label(t, Title)],
        "StatusProposed" => t["Timeline.StatusProposed", StatusText.Label(t, Title ?? "?")],
        "ProposalApproved" => t["Timeline.ProposalApproved"],
        "ProposalRejected" => t["Timeline.ProposalRejected", StatusText.Label(t, Title ?? "?")],
        _ => Title ?? Type,
    };

    /// <summary>What is said under the heading: a milestone's description, then the reason given.</summary>
    public IEnumerable<string> Texts =>
        new[] { Type is "MilestoneLogged" or "MilestoneCorrected" or "TargetDateSet" or "ReplyRequested" or "ReplyRecorded" or "StatusProposed" ? Summary : Type is "TranslationAdded" ? Title : null, Reason }.OfType<string>();
}

/// <summary>One page of the list: its items, how many match in all, and the cursor of the next page.</summary>
public sealed record PledgeListPageData(IReadOnlyList<PledgeView> Items, long? Total, string? NextCursor);

public sealed record TalliesView(int Total, IReadOnlyDictionary<string, int> ByStatus, int Overdue,
    IReadOnlyDictionary<string, int>? ByVerifiability = null, IReadOnlyDictionary<string, int>? ByReason = null);

/// <summary>Reads pledges from the commitments service (the same address YARP forwards to).</summary>
/// <summary>An open verdict proposal, as commitments' review queue gives it.</summary>
public sealed record ProposalView(
    string PledgeId, string ProposalId, long Version, string From, string Status, string Reason, IReadOnlyList<EvidenceView>? Evidence,
    string OccurredOn, string ProposedBy, string ProposedOn, IReadOnlyList<string>? ApprovedBy);

public sealed record ProposalQueueItemView(ProposalView Proposal, string Title, string CurrentStatus);

public sealed record ProposalQueuePage(IReadOnlyList<ProposalQueueItemView> Items, string? NextCursor);

/// <summary>The open proposal the timeline shows: its latest StatusProposed with nothing after it but approvals.</summary>
public static class OpenProposalOnTimeline
{
    public static TimelineView? Of(IEnumerable<TimelineView> timeline)
    {
        var latest = timeline.OrderByDescending(e => e.Version).SkipWhile(e => e.Type == "ProposalApproved").FirstOrDefault();
        return latest is { Type: "StatusProposed" } ? latest : null;
    }

    public static string IdOf(TimelineView proposal) => "proposal-" + proposal.Version.ToString(CultureInfo.InvariantCulture);
}

public sealed class CommitmentsClient(HttpClient http)
{
    /// <summary>The open proposals (staff: <paramref name="internalToken"/> is the JWT minted for the signed-in staff member).</summary>
    public async Task<ProposalQueuePage> ProposalsAsync(string internalToken, string? cursor, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/proposals?limit=50" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
        request.Headers.Authorization = new("Bearer", internalToken);
        using var response = await http.SendAsync(request, ct);
        await EnsureOk(response, ct);
        var items = await response.Content.ReadFromJsonAsync<List<ProposalQueueItemView>>(Json, ct) ?? [];
        var next = response.Headers.TryGetValues("Link", out var links) ? ListQuery.NextCursor(string.Join(", ", links)) : null;
        return new ProposalQueuePage(items, next);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>A page of the list, its titles in <paramref name="language"/> where translated (commitments says which are).</summary>
    public async Task<PledgeListPageData> ListAsync(ListQuery query, string language, CancellationToken ct)
    {
        using var response = await http.GetAsync(query.PledgesPath(language), ct);
        await EnsureOk(response, ct);
        var items = await response.Content.ReadFromJsonAsync<List<PledgeView>>(Json, ct) ?? [];
        var total = response.Headers.TryGetValues("X-Total-Count", out var counts) && long.TryParse(counts.FirstOrDefault(), out var n) ? n : (long?)null;
        var next = response.Headers.TryGetValues("Link", out var links) ? ListQuery.NextCursor(string.Join(", ", links)) : null;
        return new PledgeListPageData(items, total, next);
    }

    public async Task<TalliesView> TalliesAsync(ListQuery query, CancellationToken ct)
    {
        using var response = await http.GetAsync(query.TalliesPath(), ct);
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<TalliesView>(Json, ct) ?? new TalliesView(0, new Dictionary<string, int>(), 0);
    }

    public async Task<IReadOnlyList<Charts.SeriesPoint>> SeriesAsync(ListQuery query, SeriesRange range, CancellationToken ct)
    {
        using var response = await http.GetAsync(query.SeriesPath(range), ct);
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<List<Charts.SeriesPoint>>(Json, ct) ?? [];
    }

    /// <summary>The pledge's status spans on an axis; empty for an unknown pledge.</summary>
    public async Task<IReadOnlyList<Charts.StatusSpan>> StatusHistoryAsync(string id, string? axis, CancellationToken ct)
    {
        var url = $"/api/pledges/{Uri.EscapeDataString(id)}/status-history" + (axis is null ? "" : "?axis=" + Uri.EscapeDataString(axis));
        using var response = await http.GetAsync(url, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<List<Charts.StatusSpan>>(Json, ct) ?? [];
    }

    public async Task<PledgeView?> GetAsync(string id, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/api/pledges/{Uri.EscapeDataString(id)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<PledgeView>(Json, ct);
    }

    public async Task<IReadOnlyList<TimelineView>> TimelineAsync(string id, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/api/pledges/{Uri.EscapeDataString(id)}/timeline", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<List<TimelineView>>(Json, ct) ?? [];
    }

    /// <summary>The log's latest signed checkpoint; null while the log is empty (or if its note cannot be read).</summary>
    public async Task<Log.LogCheckpoint?> CheckpointAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("/api/log/checkpoint", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureOk(response, ct);
        return Log.LogCheckpoint.Parse(await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>The log's verifier key (one line), or null if commitments has none to give.</summary>
    public async Task<string?> LogKeyAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("/api/log/key", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureOk(response, ct);
        var key = (await response.Content.ReadAsStringAsync(ct)).Trim();
        return key.Length == 0 ? null : key;
    }

    public async Task<IReadOnlyList<Log.WitnessView>> WitnessesAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("/api/log/witnesses", ct);
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<List<Log.WitnessView>>(Json, ct) ?? [];
    }

    /// <summary>A submission as its private status link shows it; null for a token no submission has.</summary>
    public async Task<SubmissionView?> SubmissionStatusAsync(string token, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/api/submissions/status/{Uri.EscapeDataString(token)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<SubmissionView>(Json, ct);
    }

    /// <summary>The moderation queue, read as the staff member whose internal token is <paramref name="internalToken"/>.</summary>
    public async Task<SubmissionPageView> SubmissionsAsync(string state, string? cursor, string internalToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/api/submissions?state={Uri.EscapeDataString(state)}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
        request.Headers.Authorization = new("Bearer", internalToken);
        using var response = await http.SendAsync(request, ct);
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<SubmissionPageView>(Json, ct) ?? new SubmissionPageView([], null);
    }

    private static async Task EnsureOk(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new BackendException((int)response.StatusCode, body);
    }
}

public sealed class BackendException(int status, string body) : Exception($"Commitments answered {status}.")
{
    public int Status { get; } = status;
    public string Body { get; } = body;

    /// <summary>
    /// A 400 problem's field errors as a sentence for the reader, in the page's language, or null if it is
    /// not one. An English page gives commitments' own messages, which say exactly what is wrong; a Khmer
    /// page explains each field in Khmer: a list parameter by its own resource (<c>List.Error.Field.{name}</c>,
    /// whose English text is the reference it translates), any other by name.
    /// </summary>
    public string? ValidationMessage(IStringLocalizer t)
    {
        if (Status != StatusCodes.Status400BadRequest) return null;
        try
        {
            using var problem = JsonDocument.Parse(Body);
            if (!problem.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object) return null;
            var english = System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName != Localisation.DashboardLanguages.Khmer;
            var messages = errors.EnumerateObject().SelectMany(field =>
            {
                var given = field.Value.ValueKind == JsonValueKind.Array ? field.Value.EnumerateArray().Select(m => m.GetString()).OfType<string>().ToList() : [];
                if (english || given.Count == 0) return given;
                var own = t[$"List.Error.Field.{field.Name}"];
                return [own.ResourceNotFound ? t["List.Error.Field", field.Name].Value : own.Value];
            }).ToList();
            return messages.Count == 0 ? null : string.Join(" ", messages);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Whom a milestone or evidence from a public submission credits (a null name: anonymous).</summary>
public sealed record CreditView(string SubmissionId, string? Name);

/// <summary>A public submission as commitments gives it to its submitter (status link) or to staff (queue).</summary>
public sealed record SubmissionView(
    Guid Id, string PledgeId, string State, string Text, IReadOnlyList<string>? Links, string? Name, bool HasEmail, DateTimeOffset ReceivedAt,
    string? AcceptedAs, string? MilestoneId, string? Reason, DateTimeOffset? ModeratedAt, bool Confirmed = false, string? ModeratedBy = null);

public sealed record SubmissionPageView(IReadOnlyList<SubmissionView> Items, string? Next);
