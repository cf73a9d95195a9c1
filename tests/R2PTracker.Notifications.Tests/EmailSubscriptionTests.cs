using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public partial class EmailSubscriptionTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewAddress() => $"monitor-{Guid.NewGuid():N}@example.org";

    private static string PathOf(string link) => link.Replace(NotificationsApp.PublicBaseUrl, "");

    [GeneratedRegex(@"https?://\S+/confirm\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmLink();

    private async Task ConfirmAsync(string address)
    {
        var mail = (await MailDev.WaitForMailsAsync(address, 1, Ct))[0];
        var link = ConfirmLink().Match(mail.GetProperty("text").GetString()!).Value;
        (await app.Client().PostAsync(PathOf(link), null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_email_subscription_is_confirmed_by_the_link_in_the_one_confirmation_mail_before_any_alert()
    {
        var address = NewAddress();
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address, filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        subscription.Body.GetProperty("status").GetString().ShouldBe("pending-confirmation");
        subscription.Secret.ShouldBeNull();

        var mails = await MailDev.WaitForMailsAsync(address, 1, Ct);
        var text = mails[0].GetProperty("text").GetString()!;
        var link = ConfirmLink().Match(text).Value;
        link.ShouldStartWith($"{NotificationsApp.PublicBaseUrl}/api/subscriptions/{subscription.Id}/confirm?token=");
        mails[0].GetProperty("html").GetString()!.ShouldContain("/confirm?token=");

        // Before confirmation: nothing is sent, and subscribing again within a minute sends no second confirmation.
        var early = Events.StatusChanged(pledgeId);
        await app.PublishAsync(early, Ct);
        // Wait until that event was processed while the address was unconfirmed.
        await TestEnvironment.Eventually(async () =>
        {
            await using var query = app.Store.QuerySession();
            return await query.LoadAsync<Delivery.FannedOutEvent>(early.EventId, Ct);
        }, TimeSpan.FromSeconds(30), "the early event's fan-out");
        var again = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "email", email = address.ToUpperInvariant() }, Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        again.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        // A GET (a mail scanner following the link) changes nothing; the page's POST confirms.
        (await app.Client().GetAsync(PathOf(link), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.Client().PostAsync(PathOf(link).Replace("token=", "token=x"), null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var before = await app.ManageClient(subscription.ManageToken).GetFromJsonAsync<JsonElement>($"/api/subscriptions/{subscription.Id}", Ct);
        before.GetProperty("status").GetString().ShouldBe("pending-confirmation");
        (await app.Client().PostAsync(PathOf(link), null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var after = Events.StatusChanged(pledgeId, "Broken");
        await app.PublishAsync(after, Ct);
        var all = await MailDev.WaitForMailsAsync(address, 2, Ct);
        await Task.Delay(500, Ct);
        all = await MailDev.MailsToAsync(address, Ct);
        all.Count.ShouldBe(2);
        all.Count(m => m.GetProperty("subject").GetString()!.StartsWith("Confirm", StringComparison.Ordinal)).ShouldBe(1);
        all.ShouldNotContain(m => m.GetProperty("subject").GetString()!.Contains("Promise kept"));
    }

    [Fact]
    public async Task Simultaneous_subscriptions_of_one_address_send_one_confirmation()
    {
        var address = NewAddress();
        var attempts = Enumerable.Range(0, 6).Select(_ =>
            app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "email", email = address }, Ct));

        var statuses = (await Task.WhenAll(attempts)).Select(r => r.StatusCode).ToList();

        statuses.Count(s => s == HttpStatusCode.Created).ShouldBe(1);
        statuses.Count(s => s == HttpStatusCode.TooManyRequests).ShouldBe(5);
        await MailDev.WaitForMailsAsync(address, 1, Ct);
        await Task.Delay(1000, Ct);
        (await MailDev.MailsToAsync(address, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Every_alert_has_text_and_html_parts_and_a_one_click_unsubscribe_that_works()
    {
        var address = NewAddress();
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address, filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        await ConfirmAsync(address);

        await app.PublishAsync(Events.StatusChanged(pledgeId, "Kept"), Ct);
        var alert = (await MailDev.WaitForMailsAsync(address, 2, Ct)).Single(m => !m.GetProperty("subject").GetString()!.StartsWith("Confirm", StringComparison.Ordinal));

        alert.GetProperty("subject").GetString().ShouldBe($"R2P Tracker: {pledgeId} is now Promise kept");
        alert.GetProperty("text").GetString()!.ShouldContain("Focal point appointed in 2016");
        alert.GetProperty("html").GetString()!.ShouldContain("Focal point appointed in 2016");
        var source = await MailDev.SourceAsync(alert, Ct);
        var headers = MailDev.Headers(source);
        headers["List-Unsubscribe-Post"].ShouldBe("List-Unsubscribe=One-Click");
        var unsubscribe = headers["List-Unsubscribe"].Trim('<', '>');
        headers["Content-Type"].ShouldStartWith("multipart/alternative");
        source.ShouldContain("Content-Type: text/plain");
        source.ShouldContain("Content-Type: text/html");
        unsubscribe.ShouldStartWith($"{NotificationsApp.PublicBaseUrl}/api/subscriptions/{subscription.Id}/unsubscribe?token=");
        alert.GetProperty("text").GetString()!.ShouldContain(unsubscribe);

        // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL.
        var oneClick = await app.Client().PostAsync(PathOf(unsubscribe),
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Ct);
        oneClick.StatusCode.ShouldBe(HttpStatusCode.OK);
        var view = await app.ManageClient(subscription.ManageToken).GetFromJsonAsync<JsonElement>($"/api/subscriptions/{subscription.Id}", Ct);
        view.GetProperty("status").GetString().ShouldBe("unsubscribed");

        // A witness subscription shows the next alert went out; the unsubscribed address got nothing more.
        var witness = NewAddress();
        await app.SubscribeAsync(new { kind = "email", email = witness, filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        await ConfirmAsync(witness);
        await app.PublishAsync(Events.StatusChanged(pledgeId, "Broken"), Ct);
        await MailDev.WaitForMailsAsync(witness, 2, Ct);
        (await MailDev.MailsToAsync(address, Ct)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task An_email_subscription_covers_changes_recorded_from_its_confirmation_not_from_its_request()
    {
        var address = NewAddress();
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address, filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        await ConfirmAsync(address);
        var view = await app.ManageClient(subscription.ManageToken).GetFromJsonAsync<JsonElement>($"/api/subscriptions/{subscription.Id}", Ct);
        DateTimeOffset createdAt = view.GetProperty("createdAt").GetDateTimeOffset(), confirmedAt = view.GetProperty("confirmedAt").GetDateTimeOffset();
        confirmedAt.ShouldBeGreaterThan(createdAt);

        // Recorded while the address was still unconfirmed, forwarded only now.
        var beforeConfirmation = Events.StatusChanged(pledgeId) with { RecordedAt = createdAt + (confirmedAt - createdAt) / 2 };
        var afterConfirmation = Events.StatusChanged(pledgeId, "Broken");
        await app.PublishAsync(beforeConfirmation, Ct);
        await app.PublishAsync(afterConfirmation, Ct);

        var mails = await MailDev.WaitForMailsAsync(address, 2, Ct);
        mails.ShouldContain(m => m.GetProperty("subject").GetString() == $"R2P Tracker: {pledgeId} is now Promise broken");
        await TestEnvironment.Eventually(async () =>
        {
            await using var query = app.Store.QuerySession();
            return await query.LoadAsync<Delivery.FannedOutEvent>(beforeConfirmation.EventId, Ct);
        }, TimeSpan.FromSeconds(30), "the earlier change's fan-out");
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<Delivery.Delivery>(Delivery.Delivery.IdFor(beforeConfirmation.EventId, subscription.Id), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task An_email_subscription_with_a_bad_address_is_refused_naming_the_field()
    {
        foreach (var email in new[] { "not an address", "v@[127.0.0.1]", "v@localhost" })
        {
            var response = await app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "email", email }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("email", out _).ShouldBeTrue();
        }
    }
}
