using System.Security.Cryptography;
using System.Text.Json;
using R2PTracker.Notifications.Security;

namespace R2PTracker.Notifications.Webhooks;

/// <summary>
/// Before a webhook subscription is kept, its URL must show that it wants the traffic: it is sent a
/// signed <c>webhook.verification</c> event carrying a random challenge and must answer 2xx with
/// <c>{"challenge": "&lt;the same value&gt;"}</c> within Webhooks:VerificationTimeout. Otherwise anyone
/// could aim every staff write at a third party's server.
/// </summary>
public sealed class WebhookVerifier(IHttpClientFactory clients, WebhookOptions options, TimeProvider clock, ILogger<WebhookVerifier> logger)
{
    public const string Type = "webhook.verification";
    private const int MaxAnswerBytes = 4096;

    /// <summary>Why the URL is not verified (to tell the subscriber; it names no address), or null if it is.</summary>
    public async Task<string?> VerifyAsync(string url, string secret, CancellationToken ct)
    {
        var challenge = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var body = new WebhookPayload(Type, now, new { challenge }).ToJson();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.VerificationTimeout);
        var seconds = $"{options.VerificationTimeout.TotalSeconds:0.#} s";
        try
        {
            using var request = WebhookHttp.SignedPost(url, "verify_" + Guid.NewGuid().ToString("N"), body, [secret], now);
            using var response = await clients.CreateClient(WebhookHttp.ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return $"'url' answered the verification request with HTTP {(int)response.StatusCode}; it must answer 2xx with the JSON body {{\"challenge\": \"<the challenge it was sent>\"}}.";
            var answer = await ReadAtMostAsync(response, timeout.Token);
            return answer is not null && Echoes(answer, challenge)
                ? null
                : "'url' did not echo the verification challenge: it must answer 2xx with the JSON body {\"challenge\": \"<the challenge it was sent>\"}.";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"'url' did not answer the verification request within {seconds}.";
        }
        catch (HttpRequestException e) when (e is AddressRefusedException || e.InnerException is AddressRefusedException)
        {
            return UrlGuard.RefusedUrl;
        }
        catch (HttpRequestException e)
        {
            logger.LogInformation(e, "Verification request to a new webhook URL failed");
            return "'url' could not be reached to verify it.";
        }
    }

    private static async Task<byte[]?> ReadAtMostAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxAnswerBytes + 1];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
        return read > MaxAnswerBytes ? null : buffer[..read];
    }

    private static bool Echoes(byte[] answer, string challenge)
    {
        try
        {
            using var json = JsonDocument.Parse(answer);
            return json.RootElement.ValueKind == JsonValueKind.Object
                   && json.RootElement.TryGetProperty("challenge", out var echoed)
                   && echoed.ValueKind == JsonValueKind.String && echoed.GetString() == challenge;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
