using System.Collections.Concurrent;
using System.Text.Json;
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

/// <summary>How a receiver answers the verification request a new webhook subscription sends it.</summary>
public enum ChallengeAnswer { Echo, Refuse, WrongValue, Ignore }

/// <summary>
/// A real HTTP server on a loopback port that records every POST, as a subscriber's endpoint
/// would. It answers the verification challenge of a new subscription (<c>webhook.verification</c>:
/// 200 with <c>{"challenge": …}</c>, kept in <see cref="Verifications"/>, not in <see cref="Received"/>
/// nor counted in <see cref="Attempts"/>) unless <see cref="Challenges"/> says otherwise.
/// <see cref="FailFirst"/> makes it answer 500 to the first N deliveries; <see cref="Delay"/> makes it
/// take a while over each (so a fan-out lasts long enough to be interrupted); <see cref="RedirectTo"/>
/// makes it answer deliveries with a 307 redirect.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string VerificationType = "webhook.verification";
    private readonly WebApplication _app;
    private int _failuresLeft;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();
    public ConcurrentQueue<ReceivedWebhook> Verifications { get; } = new();
    public int Attempts;

    public TimeSpan Delay { get; set; }
    public ChallengeAnswer Challenges { get; set; } = ChallengeAnswer.Echo;
    /// <summary>How long it takes over the verification answer.</summary>
    public TimeSpan ChallengeDelay { get; set; }
    public string? RedirectTo { get; set; }
    /// <summary>While set, every delivery's connection is dropped without an answer, as a receiver that is down.</summary>
    public bool Down { get; set; }

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public void FailFirst(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    /// <param name="host">The loopback address to listen on (any of 127.0.0.0/8 works on Linux, or [::1]).</param>
    public static async Task<WebhookReceiver> StartAsync(string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var received = new ReceivedWebhook(http.Request.Path,
                http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body, DateTimeOffset.UtcNow);
            if (ChallengeOf(body) is { } challenge)
            {
                receiver.Verifications.Enqueue(received);
                if (receiver.ChallengeDelay > TimeSpan.Zero) await Task.Delay(receiver.ChallengeDelay);
                return receiver.Challenges switch
                {
                    ChallengeAnswer.Echo => Results.Json(new { challenge }),
                    ChallengeAnswer.WrongValue => Results.Json(new { challenge = challenge + "x" }),
                    ChallengeAnswer.Ignore => Results.Ok(),
                    _ => Results.StatusCode(403),
                };
            }
            Interlocked.Increment(ref receiver.Attempts);
            if (receiver.Down)
            {
                http.Abort();
                return Results.Empty;
            }
            if (receiver.Delay > TimeSpan.Zero) await Task.Delay(receiver.Delay);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0) return Results.StatusCode(500);
            if (receiver.RedirectTo is { } target) return Results.Redirect(target, permanent: false, preserveMethod: true);
            receiver.Received.Enqueue(received);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    /// <summary>The challenge of a verification request, or null for any other body.</summary>
    public static string? ChallengeOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                   && json.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                   && type.GetString() == VerificationType
                   && json.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                   && data.TryGetProperty("challenge", out var challenge) && challenge.ValueKind == JsonValueKind.String
                ? challenge.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
