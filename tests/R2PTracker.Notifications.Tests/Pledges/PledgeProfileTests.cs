using Marten;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Pledges;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class PledgeProfileTests
{
    [Fact]
    public void A_revision_changes_what_it_names_and_nothing_else()
    {
        var profile = PledgeProfile.Create(Events.Registered("p-1", "Old actor", "KH"));
        var revised = profile.Apply(Events.ActorRevised("p-1", "New actor"));
        revised.ShouldBe(profile with { Actor = "New actor", Version = 2 });
    }

    [Fact]
    public void An_older_revision_arriving_late_changes_nothing()
    {
        var profile = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH")).Apply(Events.ActorRevised("p-1", "Latest", version: 5));
        profile.Apply(Events.ActorRevised("p-1", "Stale", version: 3)).ShouldBe(profile);
    }
}

/// <summary>Actor filters follow the record: a revised actor reaches notifications' pledge profile.</summary>
public class PledgeDetailsRevisedTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<PledgeProfile> ProfileAsync(string pledgeId, Func<PledgeProfile, bool> until) => TestEnvironment.Eventually(async () =>
    {
        await using var query = app.Store.QuerySession();
        return await query.LoadAsync<PledgeProfile>(pledgeId, Ct) is { } p && until(p) ? p : null;
    }, TimeSpan.FromSeconds(30), $"the profile of {pledgeId}");

    [Fact]
    public async Task After_an_actor_is_revised_a_filter_on_the_new_actor_gets_the_pledge_s_alerts_and_one_on_the_old_actor_does_not()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        string oldActor = "Ministry " + Guid.NewGuid().ToString("N")[..6], newActor = "Council " + Guid.NewGuid().ToString("N")[..6];
        await app.PublishAsync(Events.Registered(pledgeId, oldActor, "KH"), Ct);
        await ProfileAsync(pledgeId, _ => true);
        var followsNew = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/new", filter = new { actor = newActor } }, Ct);
        var followsOld = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/old", filter = new { actor = oldActor } }, Ct);

        await app.PublishAsync(Events.ActorRevised(pledgeId, newActor), Ct);
        await ProfileAsync(pledgeId, p => p.Actor == newActor);
        var change = Events.StatusChanged(pledgeId) with { StreamVersion = 3 };
        await app.PublishAsync(change, Ct);

        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(r => r.WebhookId == change.EventId.ToString())),
            TimeSpan.FromSeconds(30), "the webhook for the new actor");
        hook.Path.ShouldBe("/new");
        await using var query = app.Store.QuerySession();
        (await query.LoadAsync<Notifications.Delivery.Delivery>(Notifications.Delivery.Delivery.IdFor(change.EventId, followsNew.Id), Ct)).ShouldNotBeNull();
        (await query.LoadAsync<Notifications.Delivery.Delivery>(Notifications.Delivery.Delivery.IdFor(change.EventId, followsOld.Id), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_revision_that_arrives_before_the_registration_is_applied_once_the_registration_lands_and_not_undone_by_it()
    {
        var pledgeId = Events.NewPledgeId();
        await app.PublishAsync(Events.ActorRevised(pledgeId, "Revised actor"), Ct);
        await Task.Delay(300, Ct); // the revision is retried meanwhile
        await app.PublishAsync(Events.Registered(pledgeId, "Registered actor", "KH"), Ct);

        var profile = await ProfileAsync(pledgeId, p => p.Version == 2);

        profile.Actor.ShouldBe("Revised actor");
        profile.Country.ShouldBe("KH");
        // A redelivered registration does not take the actor back.
        var again = Events.Registered(pledgeId, "Registered actor", "KH");
        await app.PublishAsync(again, Ct);
        await TestEnvironment.Eventually(async () =>
        {
            await using var query = app.Store.QuerySession();
            return await query.LoadAsync<FannedOutEvent>(again.EventId, Ct); // recorded after the profile was written
        }, TimeSpan.FromSeconds(30), "the second registration's fan-out");
        (await ProfileAsync(pledgeId, _ => true)).Actor.ShouldBe("Revised actor");
    }
}
