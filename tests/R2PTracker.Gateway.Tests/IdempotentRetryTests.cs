using System.Net;
using R2PTracker.Gateway.Proxy;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

public class IdempotentRetryTests
{
    /// <summary>Unit-test stand-in for a backend whose first connections are refused.</summary>
    private sealed class FlakyBackend(int failures) : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            ++Calls <= failures
                ? throw new HttpRequestException("Connection refused")
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }

    private static HttpMessageInvoker Invoker(FlakyBackend backend) =>
        new(new IdempotentRetryHandler(backend, attempts: 3, delay: TimeSpan.FromMilliseconds(1)));

    [Fact]
    public async Task A_get_is_retried_when_the_backend_cannot_be_reached()
    {
        var backend = new FlakyBackend(failures: 2);
        var response = await Invoker(backend).SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://backend/api/pledges"), CancellationToken.None);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        backend.Calls.ShouldBe(3);
    }

    [Fact]
    public async Task A_write_is_never_retried()
    {
        var backend = new FlakyBackend(failures: 1);
        await Should.ThrowAsync<HttpRequestException>(() =>
            Invoker(backend).SendAsync(new HttpRequestMessage(HttpMethod.Post, "http://backend/api/pledges/x/status"), CancellationToken.None));
        backend.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_attempts()
    {
        var backend = new FlakyBackend(failures: 10);
        await Should.ThrowAsync<HttpRequestException>(() =>
            Invoker(backend).SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://backend/"), CancellationToken.None));
        backend.Calls.ShouldBe(3);
    }
}
