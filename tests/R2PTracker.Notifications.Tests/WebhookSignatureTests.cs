using R2PTracker.Notifications.Subscriptions.Subscribing;
using R2PTracker.Notifications.Webhooks;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class WebhookSignatureTests
{
    [Fact]
    public void A_signature_verifies_with_an_independent_standard_webhooks_verifier()
    {
        var secret = SubscribeSlice.NewSecret();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        const string body = """{"type":"pledge.status_changed","data":{"pledgeId":"kh-r2p-1"}}""";
        var headers = new Dictionary<string, string>
        {
            ["webhook-id"] = "msg_1", ["webhook-timestamp"] = now.ToString(),
            ["webhook-signature"] = WebhookSignature.Sign(secret, "msg_1", now, body),
        };

        StandardWebhooks.Verify(secret, headers, body).ShouldBeTrue();
        StandardWebhooks.Verify(secret, headers, body.Replace("kh-r2p-1", "kh-r2p-2")).ShouldBeFalse();
        StandardWebhooks.Verify(SubscribeSlice.NewSecret(), headers, body).ShouldBeFalse();
    }

    [Fact]
    public void The_signature_matches_the_standard_webhooks_reference_vector()
    {
        // Test vector from the Standard Webhooks specification's reference libraries.
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const string body = """{"test": 2432232314}""";
        WebhookSignature.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
            .ShouldBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    [Fact]
    public void A_new_secret_is_whsec_followed_by_32_random_bytes_in_base64()
    {
        var secret = SubscribeSlice.NewSecret();
        secret.ShouldStartWith("whsec_");
        Convert.FromBase64String(secret["whsec_".Length..]).Length.ShouldBe(32);
        SubscribeSlice.NewSecret().ShouldNotBe(secret);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.org/hook")]
    [InlineData("not a url")]
    [InlineData("")]
    public void Subscribing_with_a_url_that_is_not_http_is_refused(string url) =>
        SubscribeSlice.Validate(new SubscribeRequest("webhook", url)).Listed.Keys.ShouldBe(["url"]);

    [Fact]
    public void Subscribing_names_every_bad_field() =>
        SubscribeSlice.Validate(new SubscribeRequest("sms", null, PledgeIds: ["Bad Id"])).Listed.Keys
            .ShouldBe(["kind", "pledgeIds[0]"], ignoreOrder: true);

    [Fact]
    public void A_webhook_needs_a_url_and_an_email_subscription_an_address() =>
        (SubscribeSlice.Validate(new SubscribeRequest("webhook", null)).Listed.Keys.Single(),
            SubscribeSlice.Validate(new SubscribeRequest("email", null)).Listed.Keys.Single())
        .ShouldBe(("url", "email"));
}
