using System.Diagnostics;
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
    private readonly SemaphoreSlim _wake = new(0, 1);
    private NpgsqlConnection? _lockConnection;

    /// <summary>New deliveries were recorded: look now rather than at the next poll.</summary>
    public void WakeUp()
    {
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await HoldsLockAsync(stoppingToken))
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                    continue;
                }
                var sent = await DispatchDueAsync(stoppingToken);
                if (sent == 0) await _wake.WaitAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Delivery dispatch failed; trying again shortly");
                await DropLockAsync();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        await DropLockAsync();
    }

    private async Task<bool> HoldsLockAsync(CancellationToken ct)
    {
        if (_lockConnection is { State: System.Data.ConnectionState.Open })
        {
            // Still connected means still holding it (a session lock lives as long as its connection).
            await using var ping = new NpgsqlCommand("SELECT 1", _lockConnection);
            await ping.ExecuteScalarAsync(ct);
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

    /// <summary>Makes one attempt at each due delivery (a batch); returns how many were due.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<Delivery> due;
        Dictionary<Guid, Subscription> subscriptions;
        await using (var query = store.QuerySession())
        {
            due = await query.Query<Delivery>()
                .Where(d => d.Status == DeliveryStatuses.Pending && d.NextAttemptAt <= now)
                .OrderBy(d => d.NextAttemptAt).Take(options.BatchSize).ToListAsync(ct);
            if (due.Count == 0) return 0;
            var ids = due.Select(d => d.SubscriptionId).Distinct().ToArray();
            subscriptions = (await query.LoadManyAsync<Subscription>(ct, ids)).ToDictionary(s => s.Id);
        }

        var outcomes = new System.Collections.Concurrent.ConcurrentBag<(Delivery Updated, bool? Succeeded)>();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
            async (delivery, token) =>
            {
                subscriptions.TryGetValue(delivery.SubscriptionId, out var subscription);
                outcomes.Add(await AttemptAsync(delivery, subscription, token));
            });
        // One write for the batch. If the process dies before it, the batch's deliveries are sent
        // again after the restart, with the same webhook-id: at least once, never lost.
        await using (var session = store.LightweightSession())
        {
            session.Store(outcomes.Select(o => o.Updated).ToArray());
            await session.SaveChangesAsync(ct);
        }

        await UpdateEndpointHealthAsync(outcomes.Select(o => (o.Updated.SubscriptionId, o.Succeeded)), subscriptions, ct);
        return due.Count;
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
    private async Task UpdateEndpointHealthAsync(
        IEnumerable<(Guid SubscriptionId, bool? Succeeded)> outcomes, Dictionary<Guid, Subscription> subscriptions, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var changed = false;
        foreach (var group in outcomes.Where(o => o.Succeeded is not null).GroupBy(o => o.SubscriptionId))
        {
            if (!subscriptions.TryGetValue(group.Key, out var known)) continue;
            var succeeded = group.Any(o => o.Succeeded == true);
            // The common case, a healthy endpoint that stays healthy, needs no write.
            if (succeeded && known.FailingSince is null) continue;
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
