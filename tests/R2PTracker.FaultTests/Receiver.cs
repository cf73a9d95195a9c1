using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace R2PTracker.FaultTests;

public sealed record Hook(string Path, string WebhookId, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A subscriber's endpoint on a loopback port: records every successful POST; can answer 500 to the
/// first N requests and take a while over each (so a fan-out lasts long enough to be interrupted).
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;
    private int _attempts;

    public ConcurrentQueue<Hook> Received { get; } = new();
    public int Attempts => Volatile.Read(ref _attempts);
    public TimeSpan Delay { get; set; }
    public string BaseUrl { get; private set; } = "";

    private Receiver(WebApplication app) => _app = app;

    public void FailFirst(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            Interlocked.Increment(ref receiver._attempts);
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (receiver.Delay > TimeSpan.Zero) await Task.Delay(receiver.Delay);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0) return Results.StatusCode(500);
            var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            receiver.Received.Enqueue(new Hook(http.Request.Path, headers.GetValueOrDefault("webhook-id", ""), headers, body));
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
