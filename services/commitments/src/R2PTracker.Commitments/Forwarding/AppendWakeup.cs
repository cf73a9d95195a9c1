using System.Diagnostics;
using JasperFx.Events.Daemon.HighWater;
using Marten;
using Marten.Services;

namespace R2PTracker.Commitments.Forwarding;

/// <summary>
/// Wakes the async daemon's high-water agent as soon as a session of this process commits events,
/// rather than at its next poll (Daemon:PollingInterval), so the forwarder sees a write within
/// a few milliseconds (at most the minimum interval below when writes keep coming). Only a hint:
/// the poll still runs, which covers events appended by another instance (HotCold puts the daemon
/// on one of them) and any signal missed. A signal that arrives
/// while the agent is querying is kept for its next wait, never dropped.
/// (Marten's UseListenNotifyForEventAppends would also reach other instances, but it adds
/// pg_notify to every append transaction, and PostgreSQL serialises the commits of notifying
/// transactions.)
/// </summary>
/// <param name="minimumInterval">
/// Under a stream of appends the agent queries at most this often instead of once per commit
/// (Daemon:MinimumWakeInterval): each round costs PostgreSQL several statements, so a busy
/// store forwards its appends in pages rather than one by one.
/// </param>
public sealed class AppendWakeup(TimeSpan minimumInterval) : DocumentSessionListenerBase, IDaemonWakeup
{
    public AppendWakeup() : this(new DaemonOptions().MinimumWakeInterval) { }

    public TimeSpan MinimumInterval => minimumInterval;

    private readonly SemaphoreSlim _signal = new(0, 1);
    private long _lastWake = Stopwatch.GetTimestamp();

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.GetEvents().Any()) Signal();
        return Task.CompletedTask;
    }

    public void Signal()
    {
        try { if (_signal.CurrentCount == 0) _signal.Release(); }
        catch (SemaphoreFullException) { }
        catch (ObjectDisposedException) { }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        var waited = Stopwatch.GetElapsedTime(_lastWake);
        if (waited < minimumInterval) await Task.Delay(minimumInterval - waited, token);
        await _signal.WaitAsync(timeout, token);
        _lastWake = Stopwatch.GetTimestamp();
    }

    public void Dispose() { }
}
