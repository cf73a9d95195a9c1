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
/// Checks every pledge with a target date each interval (default one minute), and at once when a
/// write nudges it. Safe with several instances and restarts: the decision reads the pledge's state
/// (already overdue → nothing) and the append expects the version it read, so a second instance
/// racing for the same pledge gets a concurrency error and appends nothing.
/// </summary>
public sealed class OverdueMonitor(IDocumentStore store, TimeProvider clock, IConfiguration config, ILogger<OverdueMonitor> log)
    : BackgroundService
{
    private readonly Channel<string> _nudges = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>A pledge was registered or re-targeted: check it now rather than at the next pass.</summary>
    public void Nudge(string pledgeId) => _nudges.Writer.TryWrite(pledgeId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = config.GetValue("Overdue:Interval", TimeSpan.FromMinutes(1));
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
        await using var query = store.QuerySession();
        var pending = query.Query<Pledge>().Where(p => p.TargetDate != null && !p.Overdue);
        if (pledgeId is not null) pending = pending.Where(p => p.Id == pledgeId);
        var candidates = await pending.ToListAsync(ct);
        var appended = 0;
        foreach (var pledge in candidates)
        {
            if (BecomeOverdue.Decide(pledge, today) is not { } overdue) continue;
            try
            {
                await using var session = store.LightweightSession();
                var stream = await session.Events.FetchForWriting<Pledge>(pledge.Id, pledge.Version, ct);
                if (stream.Aggregate is null || BecomeOverdue.Decide(stream.Aggregate, today) is null) continue;
                stream.AppendMany((await EventChain.StampAsync(session, pledge.Id, pledge.Version, [overdue], clock, ct)).ToArray<object>());
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
}
