using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using JasperFx;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Recording;

using R2PTracker.Commitments.Pledges.ReadModel;

namespace R2PTracker.Commitments.Pledges.Importing;

/// <summary>
/// Imports an NDJSON file of pledge histories in two passes over the file, so that neither the
/// file nor the pledges are held in memory: the first pass validates and decides every line (and
/// compares it with what the store already holds) and writes nothing; only if no line is refused
/// does the second pass decide again and append. Each pledge's lines must be contiguous and in
/// order. Its new events go through <see cref="EventChain"/> like any other write, several
/// pledges per transaction, a few transactions at once; a pledge is never half-written.
/// </summary>
public sealed class PledgeImport(IDocumentStore store, NpgsqlDataSource db, TimeProvider clock, IOptions<ImportOptions> options)
{
    /// <summary>Header naming who ran the import (the events' recordedBy names who recorded them first).</summary>
    public const string ImportedByHeader = "importedBy";

    /// <summary>Caps the lines decided and written together, whatever the pledges per transaction.</summary>
    private const int MaxLinesPerBatch = 2_000;

    private static readonly JsonSerializerOptions LineJson = new(JsonSerializerDefaults.Web);

    public enum Phase { Checking, Writing }

    private sealed record PledgeLines(string PledgeId, List<(long Number, ImportLine Line)> Lines);

    private sealed record StoredEvent(string DotNetType, string Json);

    private sealed record Prepared(string PledgeId, long ExistingVersion, IReadOnlyList<object> New, long Skipped);

    private ImportOptions Options => options.Value;

    public async Task<ImportOutcome> RunAsync(
        Func<Stream> open, string importedBy, Action<Phase, long>? progress, CancellationToken ct)
    {
        var today = clock.Today();
        var errors = new ImportErrors(Options.MaxListedErrors);
        await using (var file = open())
        {
            await foreach (var _ in PrepareAsync(file, today, errors, p => progress?.Invoke(Phase.Checking, p), ct)) { }
        }
        if (errors.Count > 0) return new ImportOutcome(null, errors.First, errors.Count - errors.First.Count, null);

        // The store may have changed since the first pass: each pledge is decided again against it,
        // and the expected version of every append refuses a pledge that changes meanwhile.
        var again = new ImportErrors(Options.MaxListedErrors);
        long pledges = 0, events = 0, skipped = 0;
        Exception? failure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batches = Channel.CreateBounded<List<Prepared>>(Math.Max(1, Options.Writers) * 2);
        var writers = Enumerable.Range(0, Math.Max(1, Options.Writers)).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token))
                {
                    await WriteAsync(batch, importedBy, stop.Token);
                    Interlocked.Add(ref pledges, batch.Count);
                    Interlocked.Add(ref events, batch.Sum(p => p.New.Count));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                await stop.CancelAsync();
            }
        }, CancellationToken.None)).ToList();

        try
        {
            await using var file = open();
            await foreach (var batch in PrepareAsync(file, today, again, p => progress?.Invoke(Phase.Writing, p), stop.Token))
            {
                skipped += batch.Sum(p => p.Skipped);
                var toWrite = batch.Where(p => p.New.Count > 0).ToList();
                if (toWrite.Count > 0) await batches.Writer.WriteAsync(toWrite, stop.Token);
            }
        }
        catch (OperationCanceledException) when (failure is not null) { }
        batches.Writer.TryComplete();
        await Task.WhenAll(writers);
        if (events >= Options.AnalyzeAfterEvents) await AnalyzeReadModelAsync(ct);

        var result = new ImportResult(pledges, events, skipped);
        if (failure is not null && !IsLostRace(failure)) throw new InvalidOperationException("The import failed while writing.", failure);
        if (failure is not null || again.Count > 0)
        {
            return new ImportOutcome(result, again.First, again.Count - again.First.Count,
                "The store changed while the import was writing: the pledges listed (or the one a concurrent write "
                + "touched) were not written; the counts say what was. Import the file again to add the rest.");
        }
        return ImportOutcome.Done(result);
    }

    private async Task AnalyzeReadModelAsync(CancellationToken ct)
    {
        // VACUUM runs outside a transaction, one table at a time. The state spans are only analysed:
        // vacuuming them would take as long again as a large import.
        foreach (var sql in new[]
                 {
                     $"vacuum (analyze) {ReadModelSchema.StatusRuns}", $"vacuum (analyze) {ReadModelSchema.Words}",
                     $"analyze {ReadModelSchema.States}", $"analyze {ReadModelSchema.Milestones}", $"analyze {ReadModelSchema.Search}",
                 })
        {
            await using var cmd = db.CreateCommand(sql);
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static bool IsLostRace(Exception e) =>
        e is ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException || Problems.IsStreamCollision(e);

    private async IAsyncEnumerable<List<Prepared>> PrepareAsync(
        Stream file, DateOnly today, ImportErrors errors, Action<long> progress, [EnumeratorCancellation] CancellationToken ct)
    {
        var batch = new List<PledgeLines>();
        var lines = 0;
        await foreach (var group in ReadPledgesAsync(file, errors, ct))
        {
            batch.Add(group);
            lines += group.Lines.Count;
            if (batch.Count >= Math.Max(1, Options.PledgesPerTransaction) || lines >= MaxLinesPerBatch)
            {
                yield return await DecideAsync(batch, today, errors, ct);
                progress(file.Position);
                batch = [];
                lines = 0;
            }
        }
        if (batch.Count > 0) yield return await DecideAsync(batch, today, errors, ct);
        progress(file.Position);
    }

    /// <summary>Reads the file line by line and hands on each pledge's run of lines.</summary>
    private static async IAsyncEnumerable<PledgeLines> ReadPledgesAsync(
        Stream file, ImportErrors errors, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        // Ids of the pledges already handed on: one that comes back is refused rather than merged.
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        PledgeLines? current = null;
        var ignoring = false;
        long number = 0, nonEmpty = 0;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            nonEmpty++;
            ImportLine? line;
            try
            {
                line = JsonSerializer.Deserialize<ImportLine>(text, LineJson);
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "line";
                errors.Add(number, field, field == "line"
                    ? "The line is not a JSON object."
                    : $"'{field}' does not have the JSON type the format gives it (see README, \"Import\").");
                continue;
            }
            if (line is null) { errors.Add(number, "line", "The line is not a JSON object."); continue; }
            if (string.IsNullOrEmpty(line.PledgeId)) { errors.Add(number, "pledgeId", "'pledgeId' is required."); continue; }

            if (current is null || current.PledgeId != line.PledgeId)
            {
                if (current is not null && !ignoring) yield return current;
                current = new PledgeLines(line.PledgeId, []);
                ignoring = seen.TryGetValue(line.PledgeId, out var firstLine);
                if (ignoring)
                {
                    errors.Add(number, "pledgeId",
                        $"The lines of pledge '{line.PledgeId}' must be contiguous: it already appeared from line {firstLine}.");
                }
                else seen[line.PledgeId] = number;
            }
            current.Lines.Add((number, line));
        }
        if (current is not null && !ignoring) yield return current;
        if (nonEmpty == 0) errors.Add(0, "body", "The file holds no lines.");
    }

    private async Task<List<Prepared>> DecideAsync(List<PledgeLines> batch, DateOnly today, ImportErrors errors, CancellationToken ct)
    {
        var stored = await LoadStoredAsync(batch.Select(p => p.PledgeId).ToArray(), ct);
        var prepared = new List<Prepared>(batch.Count);
        foreach (var pledge in batch)
        {
            if (Decide(pledge, stored.GetValueOrDefault(pledge.PledgeId) ?? [], today, errors) is { } p) prepared.Add(p);
        }
        return prepared;
    }

    /// <summary>
    /// Folds the pledge's lines through the slices' decisions. Where the store already holds the
    /// stream, its events must be the file's first events, value for value (bar the recorded time,
    /// id and hash, which an import sets): those are skipped and the rest appended after them.
    /// </summary>
    private Prepared? Decide(PledgeLines lines, IReadOnlyList<StoredEvent> stored, DateOnly today, ImportErrors errors)
    {
        Pledge? state = null;
        var decided = new List<object>(lines.Lines.Count);
        var failed = false;
        foreach (var (number, line) in lines.Lines)
        {
            var v = new Validation();
            var decision = ImportDecisions.Prepare(line, today, v);
            if (decision is null)
            {
                foreach (var (field, messages) in v.Errors)
                    foreach (var message in messages)
                        errors.Add(number, ImportDecisions.LineField(line.Type, field), message);
                errors.CountMore(v.NotListed);
                failed = true;
                continue;
            }
            // After a refused line the pledge's state is unknown: later lines are checked for shape only.
            if (failed) continue;
            object e;
            try
            {
                e = decision(state, decided);
            }
            catch (PledgeRuleViolation x)
            {
                errors.Add(number, ImportDecisions.LineField(line.Type, x.Field), x.Message);
                failed = true;
                continue;
            }
            catch (MilestoneNotFound x)
            {
                errors.Add(number, "milestoneId", x.Message);
                failed = true;
                continue;
            }
            if (decided.Count < stored.Count && !Same(stored[decided.Count], e))
            {
                errors.Add(number, "line", $"Pledge '{lines.PledgeId}' is already stored and its event {decided.Count + 1} differs from this line; "
                                           + "an import only adds events after those it already holds.");
                failed = true;
                continue;
            }
            state = state is null ? Pledge.Create((PledgeRegistered)e) : state.Then(e);
            decided.Add(e);
        }
        if (failed) return null;
        var skipped = Math.Min(stored.Count, decided.Count);
        return new Prepared(lines.PledgeId, stored.Count, decided.Skip(skipped).ToList(), skipped);
    }

    private bool Same(StoredEvent stored, object decided) =>
        PledgeEventTypes.ByStoredName(stored.DotNetType) == decided.GetType()
        && Canonical(stored.Json) == Canonical(store.Options.Serializer().ToJson(decided));

    // The hash's canonical form with the recorded fields held fixed: the event data alone, in one spelling.
    private static string Canonical(string json) => EventHashing.Canonical("", 0, Guid.Empty, "", DateTimeOffset.UnixEpoch, json);

    private async Task<Dictionary<string, List<StoredEvent>>> LoadStoredAsync(string[] pledgeIds, CancellationToken ct)
    {
        var stored = new Dictionary<string, List<StoredEvent>>(StringComparer.Ordinal);
        await using var cmd = db.CreateCommand(
            $"select stream_id, mt_dotnet_type, data::text from {Configuration.Schema}.mt_events where stream_id = any($1) order by stream_id, version");
        cmd.Parameters.Add(new NpgsqlParameter { Value = pledgeIds });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (!stored.TryGetValue(id, out var list)) stored[id] = list = [];
            list.Add(new StoredEvent(reader.GetString(1), reader.GetString(2)));
        }
        return stored;
    }

    private async Task WriteAsync(List<Prepared> batch, string importedBy, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        foreach (var pledge in batch)
        {
            var stamped = await EventChain.StampAsync(session, pledge.PledgeId, pledge.ExistingVersion, pledge.New, clock, ct);
            foreach (var e in stamped) e.SetHeader(ImportedByHeader, importedBy);
            if (pledge.ExistingVersion == 0)
                session.Events.StartStream<Pledge>(pledge.PledgeId, stamped.ToArray<object>());
            else
                (await session.Events.FetchForWriting<Pledge>(pledge.PledgeId, pledge.ExistingVersion, ct)).AppendMany(stamped.ToArray<object>());
        }
        await session.SaveChangesAsync(ct);
    }
}
