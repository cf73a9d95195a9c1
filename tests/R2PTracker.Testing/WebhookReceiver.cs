using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace R2PTracker.Testing;

public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    public string WebhookId => Headers.GetValueOrDefault("webhook-id", "");
}

/// <summary>
/// A real HTTP server on a loopback port that records every POST, as a subscriber's endpoint
/// would. <see cref="FailFirst"/> makes it answer 500 to the first N requests; <see cref="Delay"/>
/// makes it take a while over each (so a fan-out lasts long enough to be interrupted).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();
    public int Attempts;

    public TimeSpan Delay { get; set; }

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public void FailFirst(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            Interlocked.Increment(ref receiver.Attempts);
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (receiver.Delay > TimeSpan.Zero) await Task.Delay(receiver.Delay);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0) return Results.StatusCode(500);
            receiver.Received.Enqueue(new ReceivedWebhook(http.Request.Path,
                http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body, DateTimeOffset.UtcNow));
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
