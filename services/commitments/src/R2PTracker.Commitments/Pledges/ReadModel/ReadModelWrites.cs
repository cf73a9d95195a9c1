using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.ReadModel;

/// <summary>One SQL statement with '?' placeholders, as Marten's QueueSqlCommand takes it.</summary>
public sealed record SqlStep(string Sql, object[] Args);

/// <summary>
/// What one append changes in the read model: the spans of each axis from the first day the new
/// events can change (earlier spans stay), the search texts the new events bring, and the version
/// the read model now holds for the pledge.
/// </summary>
public static class ReadModelWrites
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// The writes for <paramref name="added"/> worked out from the pledge's whole stream: the spans of each axis
    /// from the first day the new events can change (earlier spans stay), compared with the same computation
    /// over the stored events alone. Used for a new pledge, and for what <see cref="Extend"/> does not take.
    /// </summary>
    public static IEnumerable<SqlStep> For(string pledgeId, IReadOnlyList<StoredEvent> stored, IReadOnlyList<StoredEvent> added)
    {
        var all = stored.Concat(added).Where(e => e.Data is IPledgeEvent).ToList();
        if (all.Count == 0) return [];
        var pledgeEvents = added.Where(e => e.Data is IPledgeEvent).ToList();
        var storedEvents = stored.Where(e => e.Data is IPledgeEvent).ToList();
        var changes = new List<AxisChange>();
        foreach (var axis in new[] { Axis.Recorded, Axis.Occurred })
        {
            var spans = PledgeHistory.Spans(all, axis);
            // What the read model holds now: the same computation over the stored events alone. Rows that
            // come out the same are left where they are, so an append writes what it changes, not every
            // milestone its pledge has (which made an append's cost grow with the pledge's history).
            var before = storedEvents.Count == 0 ? [] : PledgeHistory.Spans(storedEvents, axis);
            var changed = PledgeHistory.ChangedFrom(storedEvents, pledgeEvents, axis);
            // The last span that starts before the change may end differently now: it is written again.
            var from = spans.LastOrDefault(s => s.From < changed)?.From ?? DateOnly.MinValue;
            bool Rewritten(DateOnly f, DateOnly? t) => f >= from || t is null || t > from;
            var axisName = Name(axis);
            changes.Add(new AxisChange(axis, from, spans.Where(s => Rewritten(s.From, s.To)).ToList(),
                StatusRuns(pledgeId, axisName, before), StatusRuns(pledgeId, axisName, spans),
                PledgeHistory.Milestones(before).Where(m => Rewritten(m.From, m.To)).ToList(),
                PledgeHistory.Milestones(spans).Where(m => Rewritten(m.From, m.To)).ToList()));
        }
        var facts = PledgeAsOf.OccurredFacts(all, out _);
        var tail = facts.Count == 0 ? ((DateOnly, DateOnly)?)null : (facts[^1].Date.Latest, facts[^1].Date.Earliest);
        return Write(pledgeId, changes, pledgeEvents, stored.Count == 0, all.Max(e => e.Version), tail);
    }

    /// <summary>
    /// The writes for <paramref name="added"/> from what the read model holds at the pledge's end
    /// (<paramref name="head"/>), without the stream: when every new event folds after everything stored on
    /// both axes (recorded no earlier than the last recorded day; dated no earlier, by last day then first day,
    /// than the latest fact) and none of them rewrites what is stored (a registration, a correction, a
    /// retraction, evidence for a milestone the occurred axis leaves out), the open span of each axis ends or
    /// takes the new events, and nothing before it changes. Its cost is then that of the pledge's current state,
    /// not of its history. Null when that does not hold: the caller then uses <see cref="For"/>.
    /// </summary>
    public static IReadOnlyList<SqlStep>? Extend(string pledgeId, ReadModelHead head, IReadOnlyList<StoredEvent> added)
    {
        var pledgeEvents = added.Where(e => e.Data is IPledgeEvent).ToList();
        if (pledgeEvents.Count == 0 || head.Version != added.Min(e => e.Version) - 1) return null;
        if (pledgeEvents.Any(e => e.Data is PledgeRegistered or MilestoneCorrected or MilestoneRetracted)) return null;

        var recorded = new List<(DateOnly Day, long Version, object Data)>();
        foreach (var e in pledgeEvents.OrderBy(e => e.Version))
        {
            var day = PledgeHistory.RecordedDay(e);
            if (day < head.Recorded.From) return null;
            recorded.Add((day, e.Version, e.Data));
        }
        var facts = new List<PledgeAsOf.Fact>();
        var tail = head.OccurredTail;
        foreach (var e in pledgeEvents)
        {
            if (!PartialDate.TryParse(PledgeAsOf.OccurredOn(e.Data), out var date)) return null;
            if (head.OccurredTail is { } last && (date.Latest, date.Earliest).CompareTo(last) < 0) return null;
            if (e.Data is EvidenceAttached { MilestoneId: { } milestoneId } && head.Occurred.State.Milestone(milestoneId) is null) return null;
            facts.Add(new PledgeAsOf.Fact(date, e.Version, e.Data));
            if (tail is not { } t || (date.Latest, date.Earliest).CompareTo(t) > 0) tail = (date.Latest, date.Earliest);
        }
        facts.Sort((a, b) => (a.Date.Latest, a.Date.Earliest, a.Version).CompareTo((b.Date.Latest, b.Date.Earliest, b.Version)));

        var changes = new List<AxisChange>();
        foreach (var (axisHead, events) in new[] { (head.Recorded, recorded), (head.Occurred, facts.Select(f => (f.Date.Latest, f.Version, f.Data)).ToList()) })
        {
            if (PledgeHistory.Continue(axisHead, events) is not { } spans) return null;
            var axisName = Name(axisHead.Axis);
            // The open run may have begun before the open span: the days between keep their state, and its key.
            List<StateSpan> prior = axisHead.RunFrom < axisHead.From ? [new StateSpan(axisHead.Axis, axisHead.RunFrom, axisHead.From, axisHead.State)] : [];
            changes.Add(new AxisChange(axisHead.Axis, axisHead.From, spans,
                StatusRuns(pledgeId, axisName, [new StateSpan(axisHead.Axis, axisHead.RunFrom, null, axisHead.State)]),
                StatusRuns(pledgeId, axisName, [.. prior, .. spans]),
                axisHead.Milestones, PledgeHistory.Milestones(spans, axisHead.Milestones)));
        }
        return Write(pledgeId, changes, pledgeEvents, newStream: false, pledgeEvents.Max(e => e.Version), tail).ToList();
    }

    /// <summary>
    /// What one axis of an append changes: the state spans written again (every one from <see cref="From"/> on),
    /// and the status runs and milestone spans before and after in that range, of which only the difference is written.
    /// </summary>
    private sealed record AxisChange(
        Axis Axis, DateOnly From, IReadOnlyList<StateSpan> Spans, List<StatusRunRow> RunsBefore, List<StatusRunRow> RunsAfter,
        IReadOnlyList<MilestoneSpan> MilestonesBefore, IReadOnlyList<MilestoneSpan> MilestonesAfter);

    private static IEnumerable<SqlStep> Write(
        string pledgeId, List<AxisChange> changes, List<StoredEvent> pledgeEvents, bool newStream, long version, (DateOnly Latest, DateOnly Earliest)? tail)
    {
        Pledge? current = null;
        foreach (var change in changes)
        {
            var axisName = Name(change.Axis);
            if (change.Axis == Axis.Recorded && change.Spans.Count > 0) current = change.Spans[^1].State;
            const string keep = "pledge_id = ? and axis = ? and (valid_from >= ? or valid_to is null or valid_to > ?)";
            yield return new SqlStep($"delete from {ReadModelSchema.States} where {keep}", [pledgeId, axisName, change.From, change.From]);

            var states = change.Spans.Select(s => ToRow(pledgeId, axisName, s)).ToList();
            if (states.Count > 0)
                yield return new SqlStep(
                    $"""
                     insert into {ReadModelSchema.States} (pledge_id, axis, valid_from, valid_to, status, title, theme, actor, country,
                       overdue, status_since_key, target_key, milestone_count, data, verifiability, reason_code)
                     select * from jsonb_to_recordset(?::jsonb) as x(pledge_id text, axis text, valid_from date, valid_to date,
                       status text, title text, theme text, actor text, country text, overdue boolean, status_since_key text,
                       target_key text, milestone_count integer, data jsonb, verifiability text, reason_code text)
                     """, [JsonSerializer.Serialize(states, RowJson)]);

            // The status runs are few a pledge, and a milestone or a progress step leaves them as they were.
            var (goneRuns, newRuns) = Difference(change.RunsBefore, change.RunsAfter);
            if (goneRuns.Count > 0)
                yield return new SqlStep(
                    $"delete from {ReadModelSchema.StatusRuns} where pledge_id = ? and axis = ? and valid_from = any(?)",
                    [pledgeId, axisName, goneRuns.Select(r => r.ValidFrom).ToArray()]);
            if (newRuns.Count > 0)
                yield return new SqlStep(
                    $"""
                     insert into {ReadModelSchema.StatusRuns} (pledge_id, axis, valid_from, valid_to, status, title, theme, actor, country,
                       overdue, status_since_key, target_key, verifiability, reason_code)
                     select * from jsonb_to_recordset(?::jsonb) as x(pledge_id text, axis text, valid_from date, valid_to date,
                       status text, title text, theme text, actor text, country text, overdue boolean, status_since_key text, target_key text,
                       verifiability text, reason_code text)
                     """, [JsonSerializer.Serialize(newRuns, RowJson)]);

            var (goneMilestones, newMilestones) = Difference(change.MilestonesBefore, change.MilestonesAfter);
            if (goneMilestones.Count > 0)
                yield return new SqlStep(
                    $"""
                     delete from {ReadModelSchema.Milestones} m using unnest(?::integer[], ?::date[]) as gone(position, valid_from)
                     where m.pledge_id = ? and m.axis = ? and m.position = gone.position and m.valid_from = gone.valid_from
                     """,
                    [goneMilestones.Select(m => m.Position).ToArray(), goneMilestones.Select(m => m.From).ToArray(), pledgeId, axisName]);
            var milestones = newMilestones
                .Select(m => new MilestoneRow(pledgeId, axisName, m.Position, m.From, m.To, JsonSerializer.SerializeToNode(m.Milestone, Json)!))
                .ToList();
            if (milestones.Count > 0)
                yield return new SqlStep(
                    $"""
                     insert into {ReadModelSchema.Milestones} (pledge_id, axis, position, valid_from, valid_to, data)
                     select * from jsonb_to_recordset(?::jsonb) as x(pledge_id text, axis text, position integer,
                       valid_from date, valid_to date, data jsonb)
                     """, [JsonSerializer.Serialize(milestones, RowJson)]);
        }

        var (upserts, deletes) = SearchTexts(pledgeEvents, current);
        if (deletes.Count > 0)
            yield return new SqlStep($"delete from {ReadModelSchema.Search} where pledge_id = ? and item = any(?)", [pledgeId, deletes.ToArray()]);
        if (upserts.Count > 0)
            yield return new SqlStep(
                $"""
                 insert into {ReadModelSchema.Search} (pledge_id, item, text)
                 select ?, x.item, x.text from jsonb_to_recordset(?::jsonb) as x(item text, text text)
                 on conflict (pledge_id, item) do update set text = excluded.text
                 """, [pledgeId, JsonSerializer.Serialize(upserts.Select(u => new { item = u.Key, text = u.Value }), Json)]);
        if (upserts.Count > 0 || deletes.Count > 0)
            yield return OnlyAddsTexts(pledgeEvents, newStream)
                // New texts only (a registration, a milestone, evidence): their words join the pledge's.
                ? new SqlStep(
                    $"""
                     insert into {ReadModelSchema.Words} as w (pledge_id, words) select ?, {DistinctWords("?")}
                     on conflict (pledge_id) do update set words = {DistinctWords("w.words || ' ' || excluded.words")}
                     """, [pledgeId, string.Join("\n", upserts.Values)])
                // A text changed or went away: its words may be in no other text, so all are gathered again.
                : new SqlStep(
                    $"""
                     insert into {ReadModelSchema.Words} (pledge_id, words)
                     select ?, {DistinctWords($"(select string_agg(t.text, ' ') from {ReadModelSchema.Search} t where t.pledge_id = ?)")}
                     on conflict (pledge_id) do update set words = excluded.words
                     """, [pledgeId, pledgeId]);
        // The version the read model now holds, and the latest fact's (last day, first day): what Extend checks.
        yield return new SqlStep(
            $"""
             insert into {ReadModelSchema.Versions} (pledge_id, version, tail_latest, tail_earliest) values (?, ?, ?::date, ?::date)
             on conflict (pledge_id) do update set version = excluded.version, tail_latest = excluded.tail_latest, tail_earliest = excluded.tail_earliest
             """,
            [pledgeId, version, tail?.Latest ?? (object)DBNull.Value, tail?.Earliest ?? (object)DBNull.Value]);
    }

    /// <summary>
    /// The rows to delete (in <paramref name="before"/>, not in <paramref name="after"/>) and to insert (the
    /// other way round); a row that stays exactly as it was is neither. Rows are records of values.
    /// </summary>
    private static (List<T> Gone, List<T> New) Difference<T>(IReadOnlyList<T> before, IReadOnlyList<T> after)
    {
        var kept = new HashSet<T>(before);
        kept.IntersectWith(after);
        return (before.Where(r => !kept.Contains(r)).ToList(), after.Where(r => !kept.Contains(r)).ToList());
    }

    /// <summary>The distinct words (split at white space, lower case) of a text expression, space-separated.</summary>
    private static string DistinctWords(string text) =>
        $"(select coalesce(string_agg(distinct x.word, ' '), '') from regexp_split_to_table(lower(coalesce({text}, '')), '[[:space:]]+') as x(word) where x.word <> '')";

    /// <summary>Whether the new events only bring texts (no correction, retraction, revision or translation, which can replace one already there).</summary>
    private static bool OnlyAddsTexts(List<StoredEvent> added, bool newStream) =>
        !added.Any(e => e.Data is MilestoneCorrected or MilestoneRetracted or PledgeDetailsRevised or TranslationAdded
                        || (e.Data is PledgeRegistered && !newStream));

    /// <summary>Everything the read model holds of a pledge, before it is written again from its whole stream.</summary>
    public static IEnumerable<SqlStep> Forget(string pledgeId) =>
        new[] { ReadModelSchema.States, ReadModelSchema.StatusRuns, ReadModelSchema.Milestones, ReadModelSchema.Search, ReadModelSchema.Words, ReadModelSchema.Versions }
            .Select(table => new SqlStep($"delete from {table} where pledge_id = ?", [pledgeId]));

    public static string Name(Axis axis) => axis == Axis.Recorded ? "recorded" : "occurred";

    /// <summary>The sort key of a partial date: its last day; no date sorts last.</summary>
    public static string DateKey(string? partialDate) =>
        PartialDate.TryParse(partialDate, out var d) ? d.Latest.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "9999-12-31~";

    /// <summary>
    /// A list item: the pledge without its milestone list (the full record has it). The translations stay
    /// whole, milestones' included: the as-of record is this and the milestones' own spans.
    /// </summary>
    public static JsonObject Slim(Pledge pledge)
    {
        // (Without the list before it is serialised: a long one would be written out only to be dropped.)
        var node = JsonSerializer.SerializeToNode(pledge with { Milestones = [] }, Json)!.AsObject();
        node.Remove("milestones");
        return node;
    }

    private sealed record StateRow(
        string PledgeId, string Axis, DateOnly ValidFrom, DateOnly? ValidTo, string Status, string Title, string? Theme,
        string Actor, string Country, bool Overdue, string StatusSinceKey, string TargetKey, int MilestoneCount, JsonNode Data,
        string Verifiability, string? ReasonCode);

    private sealed record StatusRunRow(
        string PledgeId, string Axis, DateOnly ValidFrom, DateOnly? ValidTo, string Status, string Title, string? Theme, string Actor,
        string Country, bool Overdue, string StatusSinceKey, string TargetKey, string Verifiability, string? ReasonCode);

    /// <summary>
    /// The spans merged wherever what lists, tallies and the series filter, sort and count by (status,
    /// overdue, title, theme, actor, country, status-since and target keys, verifiability, reason code) stays the same: a milestone
    /// or a progress step does not start a new run.
    /// </summary>
    private static List<StatusRunRow> StatusRuns(string pledgeId, string axis, IReadOnlyList<StateSpan> spans)
    {
        var runs = new List<StatusRunRow>();
        foreach (var s in spans)
        {
            var run = new StatusRunRow(pledgeId, axis, s.From, s.To, s.State.Status.ToString(), s.State.Title, s.State.Theme, s.State.Actor,
                s.State.Country, s.State.Overdue, DateKey(s.State.StatusSince), DateKey(s.State.TargetDate),
                VerifiabilityKey(s.State.Verifiability), s.State.StatusReasonCode?.ToString());
            if (runs.Count > 0 && runs[^1].ValidTo == s.From && runs[^1] with { ValidFrom = run.ValidFrom, ValidTo = run.ValidTo } == run)
                runs[^1] = runs[^1] with { ValidTo = s.To };
            else runs.Add(run);
        }
        return runs;
    }

    private sealed record MilestoneRow(string PledgeId, string Axis, int Position, DateOnly ValidFrom, DateOnly? ValidTo, JsonNode Data);

    // Rows go to jsonb_to_recordset, which matches keys to column names.
    private static readonly JsonSerializerOptions RowJson = new(Json) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static StateRow ToRow(string pledgeId, string axis, StateSpan s) => new(
        pledgeId, axis, s.From, s.To, s.State.Status.ToString(), s.State.Title, s.State.Theme, s.State.Actor, s.State.Country,
        s.State.Overdue, DateKey(s.State.StatusSince), DateKey(s.State.TargetDate), s.State.MilestoneCount, Slim(s.State),
        VerifiabilityKey(s.State.Verifiability), s.State.StatusReasonCode?.ToString());

    /// <summary>The verifiability column: the rating, or <see cref="NotScreened"/> for a pledge not yet screened.</summary>
    public static string VerifiabilityKey(Verifiability? verifiability) => verifiability?.ToString() ?? NotScreened;

    /// <summary>What the filters and tallies call a pledge whose verifiability is null.</summary>
    public const string NotScreened = "NotScreened";

    private static (Dictionary<string, string> Upserts, List<string> Deletes) SearchTexts(List<StoredEvent> added, Pledge? current)
    {
        var upserts = new Dictionary<string, string>(StringComparer.Ordinal);
        var deletes = new List<string>();
        foreach (var e in added)
        {
            switch (e.Data)
            {
                case PledgeRegistered r:
                    upserts["source"] = r.Source.Title;
                    break;
                case MilestoneLogged m:
                    upserts[$"milestone:{m.MilestoneId}"] = m.Title + "\n" + m.Description;
                    break;
                case MilestoneCorrected c:
                    upserts[$"milestone:{c.MilestoneId}"] = c.Title + "\n" + c.Description;
                    break;
                case MilestoneRetracted r:
                    upserts.Remove($"milestone:{r.MilestoneId}");
                    deletes.Add($"milestone:{r.MilestoneId}");
                    break;
            }
            if (e.Data is IEvidenceEvent { Evidence.Count: > 0 } withEvidence)
                upserts[$"evidence:{e.Version}"] = string.Join("\n", withEvidence.Evidence.Select(x => x.Title));
            if (e.Data is PledgeRegistered or PledgeDetailsRevised && current is not null)
                upserts["pledge"] = current.Title + "\n" + current.Quote;
        }
        // The translations that count now, in every language: a new one, or a revision, correction or
        // retraction that ends one, changes them, so they are one text gathered again from the state.
        if (current is not null && added.Any(e => e.Data is TranslationAdded or PledgeDetailsRevised or MilestoneCorrected or MilestoneRetracted))
        {
            if (TranslatedTexts(current) is { Length: > 0 } translated) upserts[TranslationsItem] = translated;
            else deletes.Add(TranslationsItem);
        }
        return (upserts, deletes);
    }

    private const string TranslationsItem = "translations";

    /// <summary>Every translation that counts on the pledge, leaving out those of retracted milestones.</summary>
    private static string TranslatedTexts(Pledge pledge)
    {
        var kept = pledge.Milestones.Where(m => !m.Retracted).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var texts = pledge.Translations.Values.SelectMany(l => new[] { l.Title, l.Quote }.Concat(
                l.Milestones.Where(m => kept.Contains(m.Key)).SelectMany(m => new[] { m.Value.Title, m.Value.Description })))
            .OfType<TextTranslation>().Select(t => t.Text);
        return string.Join("\n", texts);
    }
}
