using Marten;
using R2PTracker.Contracts;

namespace R2PTracker.Notifications.Pledges;

/// <summary>Writes to the pledge profiles, one pledge at a time (a transaction lock on its id).</summary>
public sealed class PledgeProfiles(IDocumentStore store)
{
    public async Task RegisteredAsync(PledgeRegistered e, CancellationToken ct)
    {
        await using var session = await LockedAsync(e.PledgeId, ct);
        // A revision seen first left nothing (it waits for this); an older copy of this event changes nothing.
        if (await session.LoadAsync<PledgeProfile>(e.PledgeId, ct) is { } existing && existing.Version >= e.StreamVersion) return;
        session.Store(PledgeProfile.Create(e));
        await session.SaveChangesAsync(ct);
    }

    /// <returns>False if the pledge's registration has not been seen yet.</returns>
    public async Task<bool> RevisedAsync(PledgeDetailsRevised e, CancellationToken ct)
    {
        await using var session = await LockedAsync(e.PledgeId, ct);
        if (await session.LoadAsync<PledgeProfile>(e.PledgeId, ct) is not { } profile) return false;
        var revised = profile.Apply(e);
        if (revised == profile) return true;
        session.Store(revised);
        await session.SaveChangesAsync(ct);
        return true;
    }

    /// <returns>False if the pledge's registration has not been seen yet.</returns>
    public async Task<bool> TranslatedAsync(PledgeTranslationAdded e, CancellationToken ct)
    {
        await using var session = await LockedAsync(e.PledgeId, ct);
        if (await session.LoadAsync<PledgeProfile>(e.PledgeId, ct) is not { } profile) return false;
        var translated = profile.Apply(e);
        if (ReferenceEquals(translated, profile)) return true;
        session.Store(translated);
        await session.SaveChangesAsync(ct);
        return true;
    }

    private async Task<IDocumentSession> LockedAsync(string pledgeId, CancellationToken ct)
    {
        var session = store.LightweightSession();
        await session.BeginTransactionAsync(ct);
        await session.AdvancedSql.QueryAsync<long>(
            "select count(*) from (select pg_advisory_xact_lock(hashtextextended(?, 0))) as locked", ct, "pledge-profile:" + pledgeId);
        return session;
    }
}
