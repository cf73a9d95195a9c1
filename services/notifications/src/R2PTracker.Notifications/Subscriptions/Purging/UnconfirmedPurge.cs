using Marten;
using R2PTracker.Notifications.Email;

namespace R2PTracker.Notifications.Subscriptions.Purging;

/// <summary>
/// Every Email:PurgeInterval, deletes e-mail subscriptions still unconfirmed Email:UnconfirmedLifetime
/// after they were made (nobody wanted them, or someone else's address was given), and the entries of
/// the confirmation ledger older than its one-day window. Idempotent, so any number of instances may run it.
/// </summary>
public sealed class UnconfirmedPurge(IDocumentStore store, EmailOptions options, TimeProvider clock, ILogger<UnconfirmedPurge> logger)
    : BackgroundService
{
    public async Task PurgeAsync(DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - options.UnconfirmedLifetime;
        var ledgerCutoff = now - ConfirmationLedger.Window;
        await using var session = store.LightweightSession();
        session.DeleteWhere<Subscription>(s => s.Status == SubscriptionStatuses.PendingConfirmation && s.CreatedAt < cutoff);
        session.DeleteWhere<ConfirmationLedger>(l => l.LastSentAt < ledgerCutoff);
        await session.SaveChangesAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PurgeAsync(clock.GetUtcNow(), stoppingToken);
                await Task.Delay(options.PurgeInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Purging unconfirmed subscriptions failed; trying again in {Interval}", options.PurgeInterval);
                try { await Task.Delay(options.PurgeInterval, clock, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
    }
}
