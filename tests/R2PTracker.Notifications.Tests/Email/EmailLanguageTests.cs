using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using R2PTracker.Notifications.Pledges;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests.Email;

/// <summary>
/// Alerts in the subscriber's language: an e-mail subscription says which (English unless it says Khmer),
/// its mails are in it, name the pledge by its title in it and link to the pledge's page on the dashboard;
/// webhooks stay language-neutral and carry the title in each language.
/// </summary>
public partial class EmailLanguageTests(NotificationsApp app)
{
    private const string KhmerTitle = "ការប្តេជ្ញាដើម្បីការពារប្រជាជន";
    /// <summary>The title <see cref="Events.Registered"/> gives.</summary>
    private const string OriginalTitle = "A pledge";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewAddress() => $"reader-{Guid.NewGuid():N}@example.org";

    [GeneratedRegex(@"https?://\S+/confirm\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmLink();

    private static string PageOf(string pledgeId) => $"{NotificationsApp.PublicBaseUrl}/pledges/{pledgeId}";

    private Task<PledgeProfile> ProfileAsync(string pledgeId, Func<PledgeProfile, bool> until) => TestEnvironment.Eventually(async () =>
    {
        await using var query = app.Store.QuerySession();
        return await query.LoadAsync<PledgeProfile>(pledgeId, Ct) is { } p && until(p) ? p : null;
    }, TimeSpan.FromSeconds(30), $"the profile of {pledgeId}");

    /// <summary>A pledge registered with the original title and translated into Khmer.</summary>
    private async Task<string> TranslatedPledgeAsync()
    {
        var pledgeId = Events.NewPledgeId();
        await app.PublishAsync(Events.Registered(pledgeId, "Royal Government", "KH"), Ct);
        await ProfileAsync(pledgeId, _ => true);
        await app.PublishAsync(Events.TitleTranslated(pledgeId, "km", KhmerTitle, OriginalTitle), Ct);
        await ProfileAsync(pledgeId, p => p.TitleIn("km") == KhmerTitle);
        return pledgeId;
    }

    private async Task<JsonElement> ConfirmAsync(string address)
    {
        var mail = (await MailDev.WaitForMailsAsync(address, 1, Ct))[0];
        var link = ConfirmLink().Match(mail.GetProperty("text").GetString()!).Value;
        (await app.Client().PostAsync(link.Replace(NotificationsApp.PublicBaseUrl, ""), null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return mail;
    }

    private static async Task<JsonElement> AlertAsync(string address, string subjectPart) =>
        (await MailDev.WaitForMailsAsync(address, 2, Ct)).Single(m => m.GetProperty("subject").GetString()!.Contains(subjectPart));

    private static async Task<string> ContentLanguageAsync(JsonElement mail) => MailDev.Headers(await MailDev.SourceAsync(mail, Ct))["Content-Language"];

    [Fact]
    public async Task A_Khmer_subscriber_gets_the_confirmation_and_alerts_in_Khmer_naming_the_pledge_by_its_Khmer_title_with_a_link_to_its_page()
    {
        var pledgeId = await TranslatedPledgeAsync();
        var address = NewAddress();
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address, language = "km", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        subscription.Body.GetProperty("language").GetString().ShouldBe("km");

        var confirmation = await ConfirmAsync(address);
        confirmation.GetProperty("subject").GetString().ShouldBe("បញ្ជាក់ការជូនដំណឹងពី R2P Tracker");
        var confirmationText = confirmation.GetProperty("text").GetString()!;
        confirmationText.ShouldContain($"{KhmerTitle}: {PageOf(pledgeId)}?lang=km");
        confirmationText.ShouldContain("បញ្ជាក់នៅទីនេះ៖ ");
        confirmation.GetProperty("html").GetString()!.ShouldContain("<html lang=\"km\">");
        (await ContentLanguageAsync(confirmation)).ShouldBe("km");

        await app.PublishAsync(Events.StatusChanged(pledgeId, "Kept") with { StreamVersion = 3 }, Ct);
        var alert = await AlertAsync(address, KhmerTitle);
        alert.GetProperty("subject").GetString().ShouldBe($"R2P Tracker៖ «{KhmerTitle}» ឥឡូវនេះមានស្ថានភាព បានរក្សាការសន្យា");
        var text = alert.GetProperty("text").GetString()!;
        text.ShouldContain($"ការប្តេជ្ញា «{KhmerTitle}» បានប្តូរស្ថានភាពពី មិនទាន់វាយតម្លៃ ទៅ បានរក្សាការសន្យា។");
        text.ShouldContain($"{PageOf(pledgeId)}?lang=km");
        text.ShouldNotContain("Kept");
        var html = alert.GetProperty("html").GetString()!;
        html.ShouldContain("<html lang=\"km\">");
        html.ShouldContain($"href=\"{PageOf(pledgeId)}?lang=km\"");
        (await ContentLanguageAsync(alert)).ShouldBe("km");

        var view = await app.ManageClient(subscription.ManageToken).GetFromJsonAsync<JsonElement>($"/api/subscriptions/{subscription.Id}", Ct);
        view.GetProperty("language").GetString().ShouldBe("km");
    }

    [Fact]
    public async Task An_English_subscriber_gets_the_original_title_and_a_link_to_the_page_in_English()
    {
        var pledgeId = await TranslatedPledgeAsync();
        var address = NewAddress();
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address, filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        subscription.Body.GetProperty("language").GetString().ShouldBe("en");

        var confirmation = await ConfirmAsync(address);
        confirmation.GetProperty("subject").GetString().ShouldBe("Confirm your R2P Tracker alerts");
        confirmation.GetProperty("text").GetString()!.ShouldContain($"{OriginalTitle}: {PageOf(pledgeId)}\n");

        await app.PublishAsync(Events.StatusChanged(pledgeId, "Kept") with { StreamVersion = 3 }, Ct);
        var alert = await AlertAsync(address, "is now");
        alert.GetProperty("subject").GetString().ShouldBe($"R2P Tracker: {OriginalTitle} is now Promise kept");
        var text = alert.GetProperty("text").GetString()!;
        text.ShouldContain($"The pledge “{OriginalTitle}” changed status from Not yet rated to Promise kept.");
        text.ShouldContain($"See the pledge on the dashboard: {PageOf(pledgeId)}\n");
        text.ShouldNotContain(KhmerTitle);
        alert.GetProperty("html").GetString()!.ShouldContain("<html lang=\"en\">");
        (await ContentLanguageAsync(alert)).ShouldBe("en");
    }

    [Fact]
    public async Task A_language_tag_in_capitals_is_the_same_language_and_stored_as_commitments_writes_it()
    {
        var address = NewAddress();
        var response = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "email", email = address, language = "KM" }, Ct);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync(Ct));
        await using var query = app.Store.QuerySession();
        (await query.Query<Subscription>().SingleAsync(s => s.Email == address, Ct)).Language.ShouldBe("km");
    }

    [Theory]
    [InlineData("email", "fr")]
    [InlineData("email", "KH")]
    [InlineData("email", "")]
    [InlineData("webhook", "km")]
    public async Task A_language_that_is_not_en_or_km_on_an_email_subscription_or_any_on_a_webhook_is_refused_naming_language(string kind, string language)
    {
        var address = NewAddress();
        var response = await app.Client().PostAsJsonAsync("/api/subscriptions",
            new { kind, email = kind == "email" ? address : null, url = kind == "webhook" ? "https://example.org/hook" : null, language }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).ShouldBe(["language"]);
        await using var query = app.Store.QuerySession();
        (await query.Query<Subscription>().AnyAsync(s => s.Email == address, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_webhook_payload_keeps_its_language_neutral_data_and_carries_the_title_in_each_language()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = await TranslatedPledgeAsync();
        await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/titles", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        var change = Events.StatusChanged(pledgeId, "Kept") with { StreamVersion = 3 };
        await app.PublishAsync(change, Ct);

        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(r => r.WebhookId == change.EventId.ToString())),
            TimeSpan.FromSeconds(30), "the webhook");
        var data = JsonDocument.Parse(hook.Body).RootElement.GetProperty("data");
        data.GetProperty("status").GetString().ShouldBe("Kept");
        data.GetProperty("pledgeId").GetString().ShouldBe(pledgeId);
        var titles = data.GetProperty("titles");
        titles.EnumerateObject().Select(t => (t.Name, t.Value.GetString())).ShouldBe([("km", KhmerTitle), ("und", OriginalTitle)], ignoreOrder: true);
    }

    [Fact]
    public async Task A_subscription_stored_before_subscriptions_had_a_language_reads_as_English()
    {
        var address = NewAddress();
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address, language = "km" }, Ct);
        await using (var session = app.Store.LightweightSession())
        {
            session.QueueSqlCommand($"update {Configuration.Schema}.mt_doc_subscription set data = data - 'language' where id = ?", subscription.Id);
            await session.SaveChangesAsync(Ct);
        }

        await using var query = app.Store.QuerySession();
        var stored = await query.LoadAsync<Subscription>(subscription.Id, Ct);
        stored!.Language.ShouldBe("en");
        var view = await app.ManageClient(subscription.ManageToken).GetFromJsonAsync<JsonElement>($"/api/subscriptions/{subscription.Id}", Ct);
        view.GetProperty("language").GetString().ShouldBe("en");
    }

    [Fact]
    public async Task A_translation_that_arrives_before_the_pledge_s_registration_names_the_pledge_once_the_registration_lands()
    {
        var pledgeId = Events.NewPledgeId();
        await app.PublishAsync(Events.TitleTranslated(pledgeId, "km", KhmerTitle, OriginalTitle), Ct);
        await Task.Delay(300, Ct); // the translation is retried meanwhile
        await app.PublishAsync(Events.Registered(pledgeId, "Royal Government", "KH"), Ct);

        var profile = await ProfileAsync(pledgeId, p => p.TitleIn("km") is not null);
        profile.TitleFor("km").ShouldBe(KhmerTitle);
        profile.Title.ShouldBe(OriginalTitle);
    }
}
