using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace R2PTracker.Gateway.Proxy;

/// <summary>
/// Retries a forwarded GET or HEAD when the backend could not be reached (connection refused,
/// reset before an answer): a second instance or a restarted one may take it. Writes are never
/// retried, since the backend may have applied them. So no attempt resends a spent internal JWT:
/// only writes carry one (<see cref="Staff.StaffAuthentication"/> mints it per request), and
/// commitments accepts each token once.
/// </summary>
public sealed class IdempotentRetryHandler(HttpMessageHandler inner, int attempts, TimeSpan delay) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var idempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, ct);
            }
            catch (HttpRequestException) when (idempotent && attempt < attempts && !ct.IsCancellationRequested)
            {
                await Task.Delay(delay * attempt, ct);
            }
        }
    }
}

public sealed class RetryingForwarderHttpClientFactory(IOptions<ProxyOptions> options) : ForwarderHttpClientFactory
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new IdempotentRetryHandler(base.WrapHandler(context, handler), options.Value.GetAttempts, options.Value.RetryDelay);
}
