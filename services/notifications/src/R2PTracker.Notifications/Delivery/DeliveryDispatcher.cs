using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Marten;
using Npgsql;
using Polly.CircuitBreaker;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Subscriptions;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// Sends due deliveries from PostgreSQL: one attempt each, recorded; a failure is rescheduled with
/// exponential backoff and jitter until the schedule runs out, then the delivery is dead. A
/// subscription whose endpoint keeps failing for longer than DisableAfter is disabled. Only one
/// instance dispatches at a time (a PostgreSQL advisory lock), so an attempt is never made twice
/// concurrently; if the process dies, the lock goes with its connection and another takes over.
/// Sending and recording overlap: a delivery recorded while others are being sent or saved is sent
/// at once, and outcomes are saved in batches of whatever has finished. Until its outcome is saved,
/// a delivery is kept out of the dispatcher's queries, so it is not attempted again meanwhile.
/// </summary>
public sealed class DeliveryDispatcher(
    IDocumentStore store,
    WebhookSender webhooks,
    EmailSender email,
    DeliveryOptions options,
    TimeProvider clock,
    IConfiguration configuration,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private static readonly long LockKey = 0x52_32_50_6e_6f_74_69_66; // "R2Pnotif"
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
    private NpgsqlConnection? _lockConnection;
    private long _lockCheckedAt;

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
                if (!await HoldsLockAsync(stoppingToken))
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
                await DropLockAsync();
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
        // Let the attempts under way finish (they are cancelled) and their outcomes be saved.
        for (var i = 0; i < 100 && Volatile.Read(ref _unsaved) > 0 && _sendSlots.CurrentCount < options.Parallelism; i++)
            await Task.Delay(50, CancellationToken.None);
        _outcomes.Writer.TryComplete();
        await saving;
        await DropLockAsync();
    }

    private async Task<bool> HoldsLockAsync(CancellationToken ct)
    {
        if (_lockConnection is { State: System.Data.ConnectionState.Open })
        {
            // Still connected means still holding it (a session lock lives as long as its connection);
            // asked at most once per poll interval, not before every query.
            if (Stopwatch.GetElapsedTime(_lockCheckedAt) < options.PollInterval) return true;
            await using var ping = new NpgsqlCommand("SELECT 1", _lockConnection);
            await ping.ExecuteScalarAsync(ct);
            _lockCheckedAt = Stopwatch.GetTimestamp();
            return true;
        }
        await DropLockAsync();
        var connection = new NpgsqlConnection(configuration.GetConnectionString("Postgres"));
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        cmd.Parameters.AddWithValue("key", LockKey);
        if (await cmd.ExecuteScalarAsync(ct) is true)
        {
            _lockConnection = connection;
            _lockCheckedAt = Stopwatch.GetTimestamp();
            logger.LogInformation("This instance now dispatches deliveries");
            return true;
        }
        await connection.DisposeAsync();
        return false;
    }

    private async Task DropLockAsync()
    {
        if (_lockConnection is null) return;
        await _lockConnection.DisposeAsync();
        _lockConnection = null;
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
        var now = clock.GetUtcNow();
        if (subscription is null || subscription.Status == SubscriptionStatuses.Unsubscribed)
            return (delivery with { Status = DeliveryStatuses.Cancelled, DeadReason = "The subscription was deleted or unsubscribed." }, null);
        if (subscription.Status == SubscriptionStatuses.Disabled)
            return (delivery with { Status = DeliveryStatuses.Dead, DeadReason = "The subscription is disabled: " + subscription.DisabledReason }, null);
        if (subscription.Status == SubscriptionStatuses.PendingConfirmation && delivery.Type != EmailSender.ConfirmationType)
            return (delivery with { Status = DeliveryStatuses.Cancelled, DeadReason = "The address is not confirmed." }, null);

        var number = delivery.Attempts.Count + 1;
        var watch = Stopwatch.StartNew();
        int? statusCode = null;
        string? error = null;
        try
        {
            if (delivery.Kind == SubscriptionKinds.Email)
            {
                await email.SendAsync(email.Compose(subscription, delivery), ct);
            }
            else
            {
                using var response = await webhooks.SendAsync(subscription, delivery, ct);
                statusCode = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode) error = $"HTTP {statusCode}";
            }
        }
        catch (BrokenCircuitException)
        {
            // Not an attempt: the endpoint's circuit is open. Try again when it may have closed.
            return (delivery with { NextAttemptAt = now + options.BreakDuration }, false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            error = ex is Polly.Timeout.TimeoutRejectedException ? $"Timed out after {options.AttemptTimeout.TotalSeconds:0.#} s" : ex.Message;
        }
        var attempt = new DeliveryAttempt(number, now, watch.ElapsedMilliseconds, statusCode, error);
        var attempts = delivery.Attempts.Append(attempt).ToList();
        if (error is null)
        {
            return (delivery with { Status = DeliveryStatuses.Delivered, Attempts = attempts, DeliveredAt = clock.GetUtcNow() }, true);
        }
        var delay = options.DelayAfter(number, Random.Shared);
        logger.LogWarning("Delivery {DeliveryId} attempt {Attempt} failed: {Error}; {Next}", delivery.Id, number, error,
            delay is null ? "dead" : $"next in {delay}");
        return delay is { } wait
            ? (delivery with { Attempts = attempts, NextAttemptAt = clock.GetUtcNow() + wait }, false)
            : (delivery with { Attempts = attempts, Status = DeliveryStatuses.Dead, DeadReason = $"All {number} attempts failed." }, false);
    }

    /// <summary>
    /// A success clears a subscription's failing streak; failures start one, and a streak longer than
    /// DisableAfter disables the subscription.
    /// </summary>
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
            Subscription updated;
            if (succeeded)
            {
                if (subscription.FailingSince is null) continue;
                updated = subscription with { FailingSince = null };
            }
            else if (subscription.FailingSince is null)
            {
                updated = subscription with { FailingSince = now };
            }
            else if (now - subscription.FailingSince >= options.DisableAfter && subscription.Status == SubscriptionStatuses.Active)
            {
                var reason = $"Every delivery failed from {subscription.FailingSince:u} to {now:u}.";
                logger.LogWarning("Disabling subscription {SubscriptionId}: {Reason}", subscription.Id, reason);
                updated = subscription with { Status = SubscriptionStatuses.Disabled, DisabledAt = now, DisabledReason = reason };
            }
            else continue;
            session.Store(updated);
            changed = true;
        }
        if (changed) await session.SaveChangesAsync(ct);
    }
}
