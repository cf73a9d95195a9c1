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

    public static IEnumerable<SqlStep> For(string pledgeId, IReadOnlyList<StoredEvent> stored, IReadOnlyList<StoredEvent> added)
    {
        var all = stored.Concat(added).Where(e => e.Data is IPledgeEvent).ToList();
        if (all.Count == 0) yield break;
        var pledgeEvents = added.Where(e => e.Data is IPledgeEvent).ToList();
        var storedEvents = stored.Where(e => e.Data is IPledgeEvent).ToList();
        Pledge? current = null;
        foreach (var axis in new[] { Axis.Recorded, Axis.Occurred })
        {
            var spans = PledgeHistory.Spans(all, axis);
            if (axis == Axis.Recorded && spans.Count > 0) current = spans[^1].State;
            // What the read model holds now: the same computation over the stored events alone. Rows that
            // come out the same are left where they are, so an append writes what it changes, not every
            // milestone its pledge has (which made an append's cost grow with the pledge's history).
            var before = storedEvents.Count == 0 ? [] : PledgeHistory.Spans(storedEvents, axis);
            var changed = PledgeHistory.ChangedFrom(storedEvents, pledgeEvents, axis);
            // The last span that starts before the change may end differently now: it is written again.
            var from = spans.LastOrDefault(s => s.From < changed)?.From ?? DateOnly.MinValue;
            var axisName = Name(axis);
            const string keep = "pledge_id = ? and axis = ? and (valid_from >= ? or valid_to is null or valid_to > ?)";
            yield return new SqlStep($"delete from {ReadModelSchema.States} where {keep}", [pledgeId, axisName, from, from]);
            bool Rewritten(DateOnly f, DateOnly? t) => f >= from || t is null || t > from;

            var states = spans.Where(s => Rewritten(s.From, s.To)).Select(s => ToRow(pledgeId, axisName, s)).ToList();
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
            var (goneRuns, newRuns) = Difference(StatusRuns(pledgeId, axisName, before), StatusRuns(pledgeId, axisName, spans));
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

            var (goneMilestones, newMilestones) = Difference(
                PledgeHistory.Milestones(before).Where(m => Rewritten(m.From, m.To)).ToList(),
                PledgeHistory.Milestones(spans).Where(m => Rewritten(m.From, m.To)).ToList());
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
            yield return OnlyAddsTexts(pledgeEvents, stored.Count == 0)
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
        yield return new SqlStep(
            $"insert into {ReadModelSchema.Versions} (pledge_id, version) values (?, ?) on conflict (pledge_id) do update set version = excluded.version",
            [pledgeId, all.Max(e => e.Version)]);
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
        var node = JsonSerializer.SerializeToNode(pledge, Json)!.AsObject();
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
