using System.Globalization;
using System.Text;
using R2PTracker.Notifications.Security;

namespace R2PTracker.Notifications.Webhooks;

/// <summary>The one HTTP client every webhook request goes through, and the shape of a signed request.</summary>
public static class WebhookHttp
{
    public const string ClientName = "webhooks";

    public static IServiceCollection AddWebhookHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // A redirect could lead anywhere, including inside the network: never follow one.
                AllowAutoRedirect = false,
                UseProxy = false,
                // Every connection, redirect or not, dials only an address the guard has just checked.
                ConnectCallback = provider.GetRequiredService<UrlGuard>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = 32,
            });
        return services;
    }

    /// <summary>A POST of <paramref name="body"/> signed per Standard Webhooks with each of <paramref name="secrets"/>.</summary>
    public static HttpRequestMessage SignedPost(string url, string messageId, string body, IEnumerable<string> secrets, DateTimeOffset now)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var timestamp = now.ToUnixTimeSeconds();
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        // During a secret rotation both secrets sign; a verifier accepts either.
        request.Headers.TryAddWithoutValidation("webhook-signature",
            string.Join(' ', secrets.Select(s => WebhookSignature.Sign(s, messageId, timestamp, body))));
        request.Headers.UserAgent.ParseAdd("R2PTracker-Webhooks/1.0");
        return request;
    }
}
