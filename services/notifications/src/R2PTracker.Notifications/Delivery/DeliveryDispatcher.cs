using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Marten;
using Polly.CircuitBreaker;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Telemetry;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// Sends due deliveries from PostgreSQL: one attempt each, recorded; what an outcome means (retry
/// with backoff, dead, an endpoint disabled) is <see cref="DeliveryPolicy"/>'s to say. Only the
/// instance holding the <see cref="DeliveryLease"/> dispatches, so an attempt is never made twice
/// concurrently. Sending and recording overlap: a delivery recorded while others are being sent or
/// saved is sent at once, and outcomes are saved in batches of whatever has finished. Until its outcome is saved,
/// a delivery is kept out of the dispatcher's queries, so it is not attempted again meanwhile.
/// </summary>
public sealed class DeliveryDispatcher(
    IDocumentStore store,
    WebhookSender webhooks,
    EmailSender email,
    DeliveryLease lease,
    DeliveryOptions options,
    NotificationsTelemetry telemetry,
    TimeProvider clock,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan OutcomeGathering = TimeSpan.FromMilliseconds(25);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _sendSlots = new(options.Parallelism, options.Parallelism);
    private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
    /// <summary>
    /// Deliveries taken by this dispatcher whose outcome is not known to be visible to its next query:
    /// 0 while being attempted or saved, else the Stopwatch time at which the outcome was saved.
    /// </summary>
    private readonly ConcurrentDictionary<string, long> _taken = new();
    /// <summary>Subscriptions seen failing by the saver (which alone uses this), until their next success.</summary>
    private readonly HashSet<Guid> _failing = [];
    private int _unsaved;
    private int _waitingForRoom;

    private sealed record Outcome(Delivery Updated, bool? Succeeded, Subscription? Subscription);

    /// <summary>New deliveries were recorded: look now rather than at the next poll.</summary>
    public void WakeUp()
    {
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var saving = Task.Run(() => SaveOutcomesAsync(stoppingToken), CancellationToken.None);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await lease.HoldAsync(stoppingToken))
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                    continue;
                }
                if (await StartDueAsync(stoppingToken)) continue; // a full page: there may be more due
                await _wake.WaitAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Delivery dispatch failed; trying again shortly");
                await lease.ReleaseAsync();
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
        // Let the attempts under way finish (they are cancelled) and their outcomes be saved.
        for (var i = 0; i < 100 && Volatile.Read(ref _unsaved) > 0 && _sendSlots.CurrentCount < options.Parallelism; i++)
            await Task.Delay(50, CancellationToken.None);
        _outcomes.Writer.TryComplete();
        await saving;
        await lease.ReleaseAsync();
    }

    /// <summary>
    /// Starts an attempt at each due delivery not already taken, as many as there is room for (at most
    /// BatchSize unsaved); returns true if the query was cut short by that limit or the room left.
    /// </summary>
    private async Task<bool> StartDueAsync(CancellationToken ct)
    {
        if (!HasRoom())
        {
            // Full enough: the saver wakes this loop once outcomes have been saved (asked before
            // looking again, so that a save finishing in between is not missed).
            Interlocked.Exchange(ref _waitingForRoom, 1);
            if (!HasRoom()) return false;
        }
        Interlocked.Exchange(ref _waitingForRoom, 0);
        var room = options.BatchSize - Volatile.Read(ref _unsaved);
        var taken = _taken.Keys.ToArray();
        var queriedAt = Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow();
        IReadOnlyList<Delivery> due;
        Dictionary<Guid, Subscription> subscriptions;
        await using (var query = store.QuerySession())
        {
            due = await query.Query<Delivery>()
                .Where(d => d.Status == DeliveryStatuses.Pending && d.NextAttemptAt <= now && !taken.Contains(d.Id))
                .OrderBy(d => d.NextAttemptAt).Take(room).ToListAsync(ct);
            // Outcomes saved before this query began are visible to it: no need to keep them out any more.
            foreach (var (id, savedAt) in _taken)
                if (savedAt != 0 && savedAt < queriedAt) _taken.TryRemove(new KeyValuePair<string, long>(id, savedAt));
            if (due.Count == 0) return false;
            var ids = due.Select(d => d.SubscriptionId).Distinct().ToArray();
            subscriptions = (await query.LoadManyAsync<Subscription>(ct, ids)).ToDictionary(s => s.Id);
        }
        foreach (var delivery in due)
        {
            _taken[delivery.Id] = 0;
            Interlocked.Increment(ref _unsaved);
            subscriptions.TryGetValue(delivery.SubscriptionId, out var subscription);
            _ = AttemptAndQueueAsync(delivery, subscription, ct);
        }
        return due.Count == room;
    }

    private bool HasRoom()
    {
        var unsaved = Volatile.Read(ref _unsaved);
        return unsaved == 0 || options.BatchSize - unsaved >= Math.Max(1, options.BatchSize / 4);
    }

    private async Task AttemptAndQueueAsync(Delivery delivery, Subscription? subscription, CancellationToken ct)
    {
        try
        {
            await _sendSlots.WaitAsync(ct);
            try
            {
                var (updated, succeeded) = await AttemptAsync(delivery, subscription, ct);
                _outcomes.Writer.TryWrite(new Outcome(updated, succeeded, subscription));
                return;
            }
            finally
            {
                _sendSlots.Release();
            }
        }
        catch (Exception ex)
        {
            // Stopping (or a bug): no outcome, so the delivery stays pending and is sent again later.
            if (!ct.IsCancellationRequested) logger.LogError(ex, "Attempt at delivery {DeliveryId} failed", delivery.Id);
        }
        Release([delivery.Id], saved: false);
    }

    /// <summary>
    /// Saves finished attempts, all those waiting at the time in one write. If the process dies before
    /// that, those deliveries are sent again after the restart, with the same webhook-id: at least once,
    /// never lost. A failed save likewise leaves them pending, to be sent again.
    /// </summary>
    private async Task SaveOutcomesAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Outcome>();
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // Let outcomes gather for a moment: one write for many during a fan-out, and no more than
            // about forty writes a second otherwise. (Saving is not on the way to any receiver.)
            if (!stoppingToken.IsCancellationRequested) await Task.Delay(OutcomeGathering, CancellationToken.None);
            batch.Clear();
            while (batch.Count < options.BatchSize && _outcomes.Reader.TryRead(out var outcome)) batch.Add(outcome);
            // Not cancelled by stopping: what was sent is still recorded, to spare the receivers a repeat.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var ct = timeout.Token;
            var saved = false;
            try
            {
                await using (var session = store.LightweightSession())
                {
                    session.Store(batch.Select(o => o.Updated).ToArray());
                    await session.SaveChangesAsync(ct);
                }
                saved = true;
                await UpdateEndpointHealthAsync(batch, ct);
            }
            catch (Exception ex)
            {
                if (!saved) logger.LogError(ex, "Saving {Count} delivery outcome(s) failed; they will be attempted again", batch.Count);
                else logger.LogError(ex, "Updating endpoint health failed");
            }
            Release(batch.Select(o => o.Updated.Id), saved);
        }
    }

    private void Release(IEnumerable<string> ids, bool saved)
    {
        var at = Stopwatch.GetTimestamp();
        foreach (var id in ids)
        {
            if (saved) _taken[id] = at;
            else _taken.TryRemove(id, out _);
            Interlocked.Decrement(ref _unsaved);
        }
        if (Volatile.Read(ref _waitingForRoom) == 1) WakeUp();
    }

    private async Task<(Delivery Updated, bool? Succeeded)> AttemptAsync(Delivery delivery, Subscription? subscription, CancellationToken ct)
    {
        if (DeliveryPolicy.Settled(delivery, subscription) is { } settled)
        {
            telemetry.Attempted(delivery, settled, null, circuitOpen: false);
            return (settled, null);
        }
        // The webhook request (HttpClient's span and traceparent header) or the mail is part of the change's trace.
        using var span = NotificationsTelemetry.StartAttempt(delivery);
        var startedAt = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        AttemptOutcome outcome;
        try
        {
            if (delivery.Kind == SubscriptionKinds.Email)
            {
                await email.SendAsync(email.Compose(subscription!, delivery), ct);
                outcome = AttemptOutcome.Sent;
            }
            else
            {
                using var response = await webhooks.SendAsync(subscription!, delivery, ct);
                outcome = AttemptOutcome.Answered((int)response.StatusCode);
            }
        }
        catch (BrokenCircuitException)
        {
            outcome = AttemptOutcome.NotTried;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The details stay in the service log; the delivery log gets a generic reason.
            logger.LogWarning(ex, "Delivery {DeliveryId} attempt {Attempt} failed", delivery.Id, delivery.Attempts.Count + 1);
            outcome = AttemptOutcome.Failed(DeliveryPolicy.Describe(ex, options.AttemptTimeout));
        }
        var (updated, succeeded) = DeliveryPolicy.After(delivery, outcome, startedAt, watch.Elapsed, clock.GetUtcNow(), options, Random.Shared);
        telemetry.Attempted(delivery, updated, succeeded, outcome.CircuitOpen);
        if (succeeded != true) span?.SetStatus(ActivityStatusCode.Error, outcome.Error);
        if (succeeded == false && !outcome.CircuitOpen)
            logger.LogWarning("Delivery {DeliveryId} attempt {Attempt} failed: {Error}; {Next}", delivery.Id, updated.Attempts.Count,
                outcome.Error, updated.Status == DeliveryStatuses.Dead ? "dead" : $"next at {updated.NextAttemptAt:O}");
        return (updated, succeeded);
    }

    /// <summary>Applies <see cref="DeliveryPolicy.EndpointHealth"/> to each subscription in a saved batch.</summary>
    private async Task UpdateEndpointHealthAsync(IReadOnlyList<Outcome> outcomes, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var changed = false;
        foreach (var group in outcomes.Where(o => o.Succeeded is not null && o.Subscription is not null).GroupBy(o => o.Updated.SubscriptionId))
        {
            var known = group.First().Subscription!;
            var succeeded = group.Any(o => o.Succeeded == true);
            // The common case, a healthy endpoint that stays healthy, needs no write. (The copy read
            // with the delivery may predate a failure saved since: hence the set of failing ones.)
            if (succeeded && known.FailingSince is null && !_failing.Contains(group.Key)) continue;
            if (succeeded) _failing.Remove(group.Key);
            else _failing.Add(group.Key);
            // Re-read: the subscriber may have changed it while the batch was sent.
            if (await session.LoadAsync<Subscription>(group.Key, ct) is not { } subscription) continue;
            if (DeliveryPolicy.EndpointHealth(subscription, succeeded, now, options.DisableAfter) is not { } updated) continue;
            if (updated.Status == SubscriptionStatuses.Disabled)
                logger.LogWarning("Disabling subscription {SubscriptionId}: {Reason}", subscription.Id, updated.DisabledReason);
            session.Store(updated);
            changed = true;
        }
        if (changed) await session.SaveChangesAsync(ct);
    }
}
