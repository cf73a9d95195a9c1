using System.Text.Json;
using Marten;
using R2PTracker.Notifications.Pledges;
using R2PTracker.Notifications.Subscriptions;

namespace R2PTracker.Notifications.Email;

/// <summary>
/// What the confirmation mail says of the pledges a subscription follows: their ids and titles by language
/// (as <see cref="PledgeProfile.Titles"/>), read when the subscription is made, so that composing the
/// mail (and resending it) needs no database.
/// </summary>
public static class ConfirmationPayload
{
    /// <summary>A confirmation names at most this many pledges, then says how many more.</summary>
    public const int MaxNamed = 10;

    public static async Task<string> ForAsync(IQuerySession session, SubscriptionFilter filter, CancellationToken ct)
    {
        if (filter.PledgeIds is not { Count: > 0 } ids) return "{}";
        var named = ids.Take(MaxNamed).ToList();
        var profiles = (await session.LoadManyAsync<PledgeProfile>(ct, named)).ToDictionary(p => p.Id);
        var pledges = named.Select(id => new { id, titles = profiles.GetValueOrDefault(id)?.Titles() }).ToList();
        return JsonSerializer.Serialize(new { pledges, more = ids.Count - named.Count }, JsonSerializerOptions.Web);
    }
}
