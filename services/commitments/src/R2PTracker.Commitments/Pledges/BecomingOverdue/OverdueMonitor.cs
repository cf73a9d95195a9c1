using System.Globalization;
using Npgsql;
using R2PTracker.Commitments.Pledges.ReadModel;
using System.Threading.Channels;
using JasperFx;
using Marten;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Pledges.BecomingOverdue;

public static class BecomeOverdue
{
    public const string Monitor = "system:overdue-monitor";

    /// <summary>
    /// Overdue once per target date: when the target date has wholly passed (its last day is before
    /// today) and the pledge is not Kept, Compromise or Broken. OccurredOn is the first day after it.
    /// </summary>
    public static PledgeBecameOverdue? Decide(Pledge pledge, DateOnly today)
    {
        if (pledge.Overdue || pledge.TargetDate is null || Pledge.Settled.Contains(pledge.Status)) return null;
        var target = PartialDate.Parse(pledge.TargetDate);
        if (target.Latest >= today) return null;
        return new PledgeBecameOverdue(pledge.Id, pledge.TargetDate, PartialDate.FromDate(target.Latest.AddDays(1)).ToString(), Monitor);
    }
}

/// <summary>
/// Checks every pledge with a target date each Overdue:Interval, and at once when a
/// write nudges it. Safe with several instances and restarts: the decision reads the pledge's state
/// (already overdue → nothing) and the append expects the version it read, so a second instance
/// racing for the same pledge gets a concurrency error and appends nothing.
/// </summary>
public sealed class OverdueMonitor(IDocumentStore store, NpgsqlDataSource db, TimeProvider clock, OverdueOptions options, ILogger<OverdueMonitor> log)
    : BackgroundService
{
    private readonly Channel<string> _nudges = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>A pledge was registered or re-targeted: check it now rather than at the next pass.</summary>
    public void Nudge(string pledgeId) => _nudges.Writer.TryWrite(pledgeId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled) return;
        var interval = options.Interval;
        var next = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            string? nudged = null;
            var wait = next - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait);
                try { nudged = await _nudges.Reader.ReadAsync(timeout.Token); }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            }
            try
            {
                if (nudged is not null) await CheckAsync(nudged, stoppingToken);
                else
                {
                    await CheckAllAsync(stoppingToken);
                    next = clock.GetUtcNow() + interval;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Overdue check failed; will retry.");
            }
        }
    }

    public Task<int> CheckAllAsync(CancellationToken ct) => CheckAsync(null, ct);

    public async Task<int> CheckAsync(string? pledgeId, CancellationToken ct)
    {
        var today = clock.Today();
        var appended = 0;
        foreach (var id in await DueAsync(pledgeId, today, ct))
        {
            try
            {
                await using var session = store.LightweightSession();
                var stream = await session.Events.FetchForWriting<Pledge>(id, ct);
                if (stream.Aggregate is not { } pledge || BecomeOverdue.Decide(pledge, today) is not { } overdue) continue;
                stream.AppendMany((await EventChain.StampAsync(session, id, pledge.Version, [overdue], clock, ct)).ToArray<object>());
                await session.SaveChangesAsync(ct);
                appended++;
            }
            catch (Exception e) when (e is ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException
                                          || e.InnerException is ConcurrencyException)
            {
                // Another instance or a staff write got there first; the next pass re-reads.
            }
        }
        return appended;
    }

    /// <summary>
    /// The pledges whose target date has passed and that are neither overdue nor settled yet, from
    /// today's rows of the read model (an index range on the target date's last day): the pass
    /// costs what is due, not every pledge's state. The append re-checks each on the write model.
    /// </summary>
    private async Task<List<string>> DueAsync(string? pledgeId, DateOnly today, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"select pledge_id from {ReadModelSchema.States} where axis = 'recorded' and valid_to is null and not overdue "
            + "and target_key < $1 and status <> all($2)" + (pledgeId is null ? "" : " and pledge_id = $3") + " order by target_key, pledge_id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Pledge.Settled.Select(s => s.ToString()).ToArray() });
        if (pledgeId is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = pledgeId });
        var due = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) due.Add(reader.GetString(0));
        return due;
    }
}
