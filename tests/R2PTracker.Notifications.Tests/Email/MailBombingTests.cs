using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Subscriptions.Purging;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

/// <summary>Nobody can flood an inbox with confirmation mails, and unconfirmed subscriptions do not linger.</summary>
public partial class MailBombingTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewLocalPart() => $"target-{Guid.NewGuid():N}";

    [GeneratedRegex(@"/confirm\?token=([A-Za-z0-9_\-]+)")]
    private static partial Regex ConfirmToken();

    private Task<HttpResponseMessage> SubscribeAsync(string email) =>
        app.Client().PostAsJsonAsync("/api/subscriptions", new { kind = "email", email }, Ct);

    private async Task<int> SubscriptionsCountAsync(string localPart)
    {
        await using var query = app.Store.QuerySession();
        return (await query.Query<Subscription>().Where(s => s.Kind == SubscriptionKinds.Email).ToListAsync(Ct))
            .Count(s => s.Email!.Contains(localPart, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("\"{0}\"@example.org")]
    [InlineData("{0}+1@example.org")]
    [InlineData("{0}@example.org.")]
    [InlineData("{0}@EXAMPLE.ORG")]
    [InlineData("{0}+x@Example.Org.")]
    public async Task Another_spelling_of_a_mailbox_that_just_got_a_confirmation_gets_none(string spelling)
    {
        var local = NewLocalPart();
        (await SubscribeAsync($"{local}@example.org")).StatusCode.ShouldBe(HttpStatusCode.Created);

        var again = await SubscribeAsync(string.Format(spelling, local));

        again.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        again.Headers.RetryAfter.ShouldNotBeNull();
        (await SubscriptionsCountAsync(local)).ShouldBe(1);
    }

    [Fact]
    public async Task Deleting_the_subscription_does_not_reset_the_limit()
    {
        var address = $"{NewLocalPart()}@example.org";
        var first = await app.SubscribeAsync(new { kind = "email", email = address }, Ct);
        (await app.ManageClient(first.ManageToken).DeleteAsync($"/api/subscriptions/{first.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await SubscribeAsync(address)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_mailbox_that_had_its_daily_number_of_confirmations_gets_no_more_that_day()
    {
        var local = NewLocalPart();
        var address = $"{local}@example.org";
        var now = DateTimeOffset.UtcNow;
        await using (var session = app.Store.LightweightSession())
        {
            // Three confirmations in the last hours (beyond the one-a-minute interval), under another spelling.
            session.Store(new ConfirmationLedger
            {
                Id = Mailbox.HashedKey($"{local}+earlier@example.org"),
                SentAt = [now.AddHours(-3), now.AddHours(-2), now.AddHours(-1)], LastSentAt = now.AddHours(-1),
            });
            await session.SaveChangesAsync(Ct);
        }

        var refused = await SubscribeAsync(address);

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain("24 hours");
        refused.Headers.RetryAfter!.Delta!.Value.ShouldBeInRange(TimeSpan.FromHours(20.9), TimeSpan.FromHours(21.1));
        (await SubscriptionsCountAsync(local)).ShouldBe(0);
        await Task.Delay(300, Ct);
        (await MailDev.MailsToAsync(address, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Unconfirmed_subscriptions_older_than_their_lifetime_are_purged_and_others_kept()
    {
        var old = await app.SubscribeAsync(new { kind = "email", email = $"{NewLocalPart()}@example.org" }, Ct);
        var recent = await app.SubscribeAsync(new { kind = "email", email = $"{NewLocalPart()}@example.org" }, Ct);
        var oldButConfirmed = await app.SubscribeAsync(new { kind = "email", email = $"{NewLocalPart()}@example.org" }, Ct);
        var eightDaysAgo = DateTimeOffset.UtcNow.AddDays(-8);
        await using (var session = app.Store.LightweightSession())
        {
            var o = (await session.LoadAsync<Subscription>(old.Id, Ct))!;
            session.Store(o with { CreatedAt = eightDaysAgo, ConfirmationSentAt = eightDaysAgo });
            var c = (await session.LoadAsync<Subscription>(oldButConfirmed.Id, Ct))!;
            session.Store(c with { CreatedAt = eightDaysAgo, Status = SubscriptionStatuses.Active, ConfirmedAt = eightDaysAgo.AddHours(1) });
            await session.SaveChangesAsync(Ct);
        }

        await app.Factory.Services.GetRequiredService<UnconfirmedPurge>().PurgeAsync(DateTimeOffset.UtcNow, Ct);

        (await app.ManageClient(old.ManageToken).GetAsync($"/api/subscriptions/{old.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.ManageClient(recent.ManageToken).GetAsync($"/api/subscriptions/{recent.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.ManageClient(oldButConfirmed.ManageToken).GetAsync($"/api/subscriptions/{oldButConfirmed.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_expired_confirmation_link_confirms_nothing_and_says_it_expired()
    {
        var address = $"{NewLocalPart()}@example.org";
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address }, Ct);
        Subscription stored;
        await using (var query = app.Store.QuerySession()) stored = (await query.LoadAsync<Subscription>(subscription.Id, Ct))!;
        var expired = Tokens.Expiring(stored, EmailSender.ConfirmPurpose, DateTimeOffset.UtcNow.AddMinutes(-1));

        var response = await app.Client().PostAsync($"/api/subscriptions/{subscription.Id}/confirm?token={expired}", null, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Gone);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var view = await app.ManageClient(subscription.ManageToken).GetFromJsonAsync<JsonElement>($"/api/subscriptions/{subscription.Id}", Ct);
        view.GetProperty("status").GetString().ShouldBe("pending-confirmation");
    }

    [Fact]
    public async Task The_mailed_link_expires_after_the_configured_lifetime_and_its_expiry_cannot_be_altered()
    {
        var address = $"{NewLocalPart()}@example.org";
        var subscription = await app.SubscribeAsync(new { kind = "email", email = address }, Ct);
        var mail = (await MailDev.WaitForMailsAsync(address, 1, Ct))[0];
        var token = ConfirmToken().Match(mail.GetProperty("text").GetString()!).Groups[1].Value;
        Subscription stored;
        await using (var query = app.Store.QuerySession()) stored = (await query.LoadAsync<Subscription>(subscription.Id, Ct))!;

        Tokens.VerifyExpiring(stored, EmailSender.ConfirmPurpose, token, stored.CreatedAt.AddDays(2).AddSeconds(-5)).ShouldBe(TokenCheck.Valid);
        Tokens.VerifyExpiring(stored, EmailSender.ConfirmPurpose, token, stored.CreatedAt.AddDays(2).AddSeconds(5)).ShouldBe(TokenCheck.Expired);
        // The expiry is the token's first 8 bytes: pushing it later breaks the HMAC.
        var altered = (token[0] == 'A' ? 'B' : 'A') + token[1..];
        (await app.Client().PostAsync($"/api/subscriptions/{subscription.Id}/confirm?token={altered}", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Client().PostAsync($"/api/subscriptions/{subscription.Id}/confirm?token={token}", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
