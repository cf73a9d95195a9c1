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
        revised.ShouldBe(profile with { Actor = "New actor", ActorVersion = 2, Version = 2 });
    }

    [Fact]
    public void A_revision_of_the_actor_arriving_after_a_later_revision_of_the_title_still_changes_the_actor()
    {
        var profile = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH")).Apply(Events.TitleRevised("p-1", "Later title", version: 4));
        var revised = profile.Apply(Events.ActorRevised("p-1", "Earlier actor", version: 3));
        revised.Actor.ShouldBe("Earlier actor");
        revised.Title.ShouldBe("Later title");
        // … and an older title revision arriving after it does not take the title back.
        revised.Apply(Events.TitleRevised("p-1", "Older title", version: 2)).Title.ShouldBe("Later title");
    }

    [Fact]
    public void A_translation_of_the_title_names_the_pledge_in_its_language_and_the_original_stays_beside_it()
    {
        var profile = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH")).Apply(Events.TitleTranslated("p-1", "km", "ការប្តេជ្ញា", "A pledge"));
        profile.TitleFor("km").ShouldBe("ការប្តេជ្ញា");
        profile.TitleFor("en").ShouldBe("A pledge");
        profile.Titles().Select(t => (t.Key, t.Value)).ShouldBe([("km", "ការប្តេជ្ញា"), ("und", "A pledge")], ignoreOrder: true);
    }

    [Fact]
    public void An_older_translation_arriving_after_a_newer_one_changes_nothing()
    {
        var profile = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH"))
            .Apply(Events.TitleTranslated("p-1", "km", "ថ្មី", "A pledge", version: 5));
        profile.Apply(Events.TitleTranslated("p-1", "km", "ចាស់", "A pledge", version: 3)).TitleFor("km").ShouldBe("ថ្មី");
    }

    [Fact]
    public void A_translation_of_other_texts_than_the_title_changes_nothing()
    {
        var profile = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH"));
        profile.Apply(Events.TitleTranslated("p-1", "km", "សម្រង់", "The quote") with { Target = "quote" }).ShouldBeSameAs(profile);
    }

    /// <summary>
    /// Registered "A pledge" (1), translated (2), title revised (3): the translation of the old wording is
    /// not the new title's, in whichever order the translation and the revision arrive; a translation of
    /// the new wording (4) is, whichever order it arrives in too.
    /// </summary>
    [Fact]
    public void A_translation_of_a_title_since_revised_is_not_shown_as_the_new_title_s_whatever_the_order()
    {
        var registered = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH"));
        var oldTranslation = Events.TitleTranslated("p-1", "km", "ចាស់", "A pledge", version: 2);
        var revision = Events.TitleRevised("p-1", "A better title", version: 3);
        var newTranslation = Events.TitleTranslated("p-1", "km", "ថ្មី", "A better title", version: 4);

        registered.Apply(oldTranslation).Apply(revision).TitleFor("km").ShouldBe("A better title");
        registered.Apply(revision).Apply(oldTranslation).TitleFor("km").ShouldBe("A better title");
        registered.Apply(revision).Apply(oldTranslation).Titles().Keys.ShouldBe(["und"]);

        registered.Apply(newTranslation).TitleFor("km").ShouldBe("A pledge", "not before the revision it translates has arrived");
        registered.Apply(newTranslation).Apply(revision).Apply(oldTranslation).TitleFor("km").ShouldBe("ថ្មី");
        registered.Apply(oldTranslation).Apply(newTranslation).Apply(revision).TitleFor("km").ShouldBe("ថ្មី");
    }

    [Fact]
    public void A_translation_of_a_wording_the_title_went_back_to_does_not_count_again_as_in_commitments()
    {
        var registered = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH"));
        var translation = Events.TitleTranslated("p-1", "km", "ចាស់", "A pledge", version: 2);
        var away = Events.TitleRevised("p-1", "A better title", version: 3);
        var back = Events.TitleRevised("p-1", "A pledge", version: 4);
        registered.Apply(translation).Apply(away).Apply(back).TitleFor("km").ShouldBe("A pledge");
        registered.Apply(back).Apply(away).Apply(translation).TitleFor("km").ShouldBe("A pledge");
    }

    [Fact]
    public void A_translation_applied_to_a_profile_stored_before_fields_had_versions_does_not_hide_a_revision_arriving_late()
    {
        var stored = PledgeProfile.Create(Events.Registered("p-1", "Actor", "KH")) with { ActorVersion = null, TitleVersion = null };
        var translated = stored.Apply(Events.TitleTranslated("p-1", "km", "ការប្តេជ្ញា", "A pledge", version: 5));
        translated.Apply(Events.ActorRevised("p-1", "Revised actor", version: 3)).Actor.ShouldBe("Revised actor");
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
