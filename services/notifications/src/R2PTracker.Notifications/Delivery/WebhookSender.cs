using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;

namespace R2PTracker.Notifications.Delivery;

/// <summary>
/// Posts one signed webhook through a Polly pipeline of its endpoint (scheme, host and port): a
/// timeout per attempt and a circuit breaker, so one dead endpoint is not hammered. Retrying is the
/// dispatcher's job (durable, with backoff), not the pipeline's.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider clock, DeliveryOptions options)
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new();

    public async Task<HttpResponseMessage> SendAsync(Subscription subscription, Delivery delivery, CancellationToken ct)
    {
        var endpoint = new Uri(subscription.Url!).GetLeftPart(UriPartial.Authority);
        var pipeline = _pipelines.GetOrAdd(endpoint, _ => NewPipeline());
        var client = clients.CreateClient(WebhookHttp.ClientName);
        var messageId = delivery.EventId.ToString();
        return await pipeline.ExecuteAsync(async token =>
        {
            var now = clock.GetUtcNow();
            using var request = WebhookHttp.SignedPost(subscription.Url!, messageId, delivery.Payload, subscription.SigningSecrets(now), now);
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        }, ct);
    }

    private ResiliencePipeline<HttpResponseMessage> NewPipeline() => new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = 0.5,
            MinimumThroughput = 10,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = options.BreakDuration,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>()
                .Handle<Polly.Timeout.TimeoutRejectedException>()
                .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == System.Net.HttpStatusCode.TooManyRequests),
        })
        .AddTimeout(options.AttemptTimeout)
        .Build();
}
