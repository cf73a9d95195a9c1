using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class ManagingSubscriptionTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_manage_token_is_needed_to_read_a_subscription_and_no_secret_is_shown_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.BaseUrl + "/hook";
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url }, Ct);

        var anonymous = await app.Client().GetAsync($"/api/subscriptions/{subscription.Id}", Ct);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await app.ManageClient("r2pm_wrong").GetAsync($"/api/subscriptions/{subscription.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var other = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/other" }, Ct);
        (await app.ManageClient(other.ManageToken).GetAsync($"/api/subscriptions/{subscription.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var response = await app.ManageClient(subscription.ManageToken).GetAsync($"/api/subscriptions/{subscription.Id}", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadAsStringAsync(Ct);
        body.ShouldNotContain(subscription.Secret!);
        body.ShouldNotContain(subscription.ManageToken);
        var view = JsonDocument.Parse(body).RootElement;
        view.GetProperty("status").GetString().ShouldBe("active");
        view.GetProperty("url").GetString().ShouldBe(url);
        view.GetProperty("id").GetGuid().ShouldBe(subscription.Id);
    }

    [Fact]
    public async Task The_manage_token_is_stored_only_as_a_hash()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/hook" }, Ct);
        await using var query = app.Store.QuerySession();
        var json = await query.Json.FindByIdAsync<Subscriptions.Subscription>(subscription.Id, Ct);
        json.ShouldNotBeNull().ShouldNotContain(subscription.ManageToken);
        json.ShouldContain(Subscriptions.Tokens.Hash(subscription.ManageToken));
    }

    [Fact]
    public async Task A_deleted_subscription_is_gone_and_gets_no_more_alerts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/deleted", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        var witness = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/witness", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);
        var manage = app.ManageClient(subscription.ManageToken);

        (await manage.DeleteAsync($"/api/subscriptions/{subscription.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await manage.GetAsync($"/api/subscriptions/{subscription.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var e = Events.StatusChanged(pledgeId);
        await app.PublishAsync(e, Ct);
        await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(r => r.Path == "/witness")), TimeSpan.FromSeconds(30), "the witness's webhook");
        receiver.Received.ShouldNotContain(r => r.Path == "/deleted");
        await using var query = app.Store.QuerySession();
        (await query.LoadAsync<Delivery.Delivery>(Delivery.Delivery.IdFor(e.EventId, witness.Id), Ct)).ShouldNotBeNull();
        (await query.LoadAsync<Delivery.Delivery>(Delivery.Delivery.IdFor(e.EventId, subscription.Id), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task After_rotating_the_secret_webhooks_verify_with_the_new_and_the_old_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var pledgeId = Events.NewPledgeId();
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/hook", filter = new { pledgeIds = new[] { pledgeId } } }, Ct);

        var rotation = await app.ManageClient(subscription.ManageToken).PostAsync($"/api/subscriptions/{subscription.Id}/rotate-secret", null, Ct);
        rotation.StatusCode.ShouldBe(HttpStatusCode.OK);
        var newSecret = (await rotation.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;
        newSecret.ShouldStartWith("whsec_");
        newSecret.ShouldNotBe(subscription.Secret);
        (await app.Client().PostAsync($"/api/subscriptions/{subscription.Id}/rotate-secret", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await app.PublishAsync(Events.StatusChanged(pledgeId), Ct);
        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault()), TimeSpan.FromSeconds(30), "the webhook");
        hook.Headers["webhook-signature"].Split(' ').Length.ShouldBe(2);
        StandardWebhooks.Verify(newSecret, hook.Headers, hook.Body).ShouldBeTrue();
        StandardWebhooks.Verify(subscription.Secret!, hook.Headers, hook.Body).ShouldBeTrue();
        StandardWebhooks.Verify(Subscriptions.Subscribing.SubscribeSlice.NewSecret(), hook.Headers, hook.Body).ShouldBeFalse();
    }

    [Fact]
    public async Task The_delivery_log_needs_the_manage_token()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscription = await app.SubscribeAsync(new { kind = "webhook", url = receiver.BaseUrl + "/hook" }, Ct);
        (await app.Client().GetAsync($"/api/subscriptions/{subscription.Id}/deliveries", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.ManageClient("r2pm_wrong").GetAsync($"/api/subscriptions/{subscription.Id}/deliveries", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var log = await app.DeliveriesAsync(subscription, Ct);
        log.GetArrayLength().ShouldBe(0); // the verification request is not a delivery
    }
}
