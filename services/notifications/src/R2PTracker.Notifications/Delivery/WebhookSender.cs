using System.Globalization;
using System.Text;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;

namespace R2PTracker.Notifications.Delivery;

/// <summary>Posts one signed webhook; transient failures are retried by the client's Polly pipeline.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider clock)
{
    public const string ClientName = "webhooks";

    public async Task<HttpResponseMessage> SendAsync(Subscription subscription, Guid eventId, WebhookPayload payload, CancellationToken ct)
    {
        var body = payload.ToJson();
        var messageId = eventId.ToString();
        var client = clients.CreateClient(ClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        // The timestamp and signature are computed once: a retry is the same message.
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(subscription.Secret, messageId, timestamp, body));
        request.Headers.UserAgent.ParseAdd("R2PTracker-Webhooks/1.0");
        return await client.SendAsync(request, ct);
    }
}
