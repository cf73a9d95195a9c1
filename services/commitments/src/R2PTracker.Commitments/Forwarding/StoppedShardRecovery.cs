using System.Collections.Concurrent;
using System.Diagnostics;
using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace R2PTracker.Commitments.Forwarding;

/// <summary>
/// Gives back to Marten's coordinator a daemon shard that stopped on
/// <see cref="ProgressionProgressOutOfOrderException"/>, so it runs again from its stored progression.
/// <para>
/// The exception means the shard's row in mt_event_progression moved under it. After a failover that is
/// the old holder's last progression write committing after this instance took the HotCold lock and read
/// the row. Marten stops the shard on it rather than pausing it, and keeps the stopped agent in the daemon's
/// list, so its coordinator (which restarts only missing or paused shards) never starts it again: without
/// this the forwarder stayed silent until the process restarted. Marten has no error policy for it
/// (its ErrorHandlingOptions only skip bad events).
/// </para>
/// <para>
/// The stopped agent is ejected rather than restarted here: the coordinator starts a missing shard at its
/// next leadership poll (Marten's LeadershipPollingTime, 5 s) and only while this instance holds the lock,
/// so two instances never run the shard at once. The new agent reads the row afresh. What the failed page
/// published before its progression write failed is published again from there: at least once, with the
/// Marten event id as message id, as after any failover.
/// </para>
/// </summary>
public sealed class StoppedShardRecovery(IProjectionCoordinator coordinator, ILogger<StoppedShardRecovery> logger)
    : IHostedService, IObserver<ShardState>
{
    private readonly ConcurrentDictionary<string, long> _ejected = new();
    private IProjectionDaemon? _daemon;
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken ct)
    {
        _daemon = coordinator.DaemonForMainDatabase();
        _subscription = _daemon.Tracker.Subscribe(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public void OnNext(ShardState state)
    {
        if (_daemon is not { } daemon) return;
        if (state.Action == ShardAction.Started && _ejected.TryRemove(state.ShardName, out var since))
        {
            logger.LogWarning("Daemon shard {Shard} runs again from sequence {Sequence}, {Seconds:0.0} s after it stopped on a progression conflict",
                state.ShardName, state.Sequence, Stopwatch.GetElapsedTime(since).TotalSeconds);
            return;
        }
        if (state.Action != ShardAction.Stopped || state.Failure?.Category != ShardFailureCategory.ProgressionOutOfOrder) return;
        // Only the agent that failed: one the coordinator has started since is left alone.
        var agent = daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == state.ShardName);
        if (agent is not { Status: AgentStatus.Stopped }) return;
        daemon.EjectPausedShard(state.ShardName);
        _ejected[state.ShardName] = Stopwatch.GetTimestamp();
        logger.LogWarning(state.Exception,
            "Daemon shard {Shard} stopped at sequence {Sequence}: its progression was moved by another writer (most likely the previous lock holder's last write). "
            + "It is handed back to the coordinator, which restarts it from the stored progression while this instance holds the daemon lock",
            state.ShardName, state.Sequence);
    }

    public void OnError(Exception error) { }

    public void OnCompleted() { }
}
