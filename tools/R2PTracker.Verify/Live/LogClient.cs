using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace R2PTracker.Verify.Live;

public sealed record InclusionProofResponse(long Index, long TreeSize, string LeafHash, IReadOnlyList<string> Hashes);
public sealed record ConsistencyProofResponse(long From, long To, IReadOnlyList<string> Hashes);
public sealed record LogEntry(long Index, string? EventId, string? PledgeId, long? Version, string? Leaf);
public sealed record SubmissionResult(bool Accepted, int Status, string Detail);

/// <summary>The log could not be asked, or answered with something that is not an answer (exit code 2).</summary>
public sealed class LogUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The tracker's public log API (/api/log/...), as a witness or auditor reads it.</summary>
public sealed class LogClient(HttpClient http, string baseUrl)
{
    public const int MaxEntriesPerRequest = 1000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _base = baseUrl.TrimEnd('/');

    public Task<string> GetCheckpointAsync(CancellationToken ct = default) =>
        SendAsync("checkpoint", r => r.Content.ReadAsStringAsync(ct), ct);

    public Task<InclusionProofResponse> GetInclusionProofAsync(long index, long treeSize, CancellationToken ct = default) =>
        GetJsonAsync<InclusionProofResponse>(Invariant($"proof/inclusion?index={index}&treeSize={treeSize}"), ct);

    public Task<ConsistencyProofResponse> GetConsistencyProofAsync(long from, long to, CancellationToken ct = default) =>
        GetJsonAsync<ConsistencyProofResponse>(Invariant($"proof/consistency?from={from}&to={to}"), ct);

    /// <summary>Entries [start, end); the log may answer with fewer than asked.</summary>
    public Task<List<LogEntry>> GetEntriesAsync(long start, long end, CancellationToken ct = default) =>
        GetJsonAsync<List<LogEntry>>(Invariant($"entries?start={start}&end={end}"), ct);

    /// <summary>Offers a note carrying the witness's cosignature; a refusal is reported, not thrown.</summary>
    public async Task<SubmissionResult> SubmitCosignatureAsync(string cosignedNote, CancellationToken ct = default)
    {
        try
        {
            using var content = new StringContent(cosignedNote, Encoding.UTF8, "text/plain");
            using var response = await http.PostAsync(Url("cosignatures"), content, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return new SubmissionResult(response.IsSuccessStatusCode, (int)response.StatusCode, ProblemDetail(body));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new LogUnavailableException($"POST {Url("cosignatures")}: {e.Message}", e);
        }
    }

    private Task<T> GetJsonAsync<T>(string path, CancellationToken ct) =>
        SendAsync(path, async r => await r.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new JsonException("empty answer"), ct);

    private async Task<T> SendAsync<T>(string path, Func<HttpResponseMessage, Task<T>> read, CancellationToken ct)
    {
        var url = Url(path);
        try
        {
            using var response = await http.GetAsync(url, ct);
            if (!response.IsSuccessStatusCode)
                throw new LogUnavailableException($"GET {url}: {(int)response.StatusCode} {ProblemDetail(await response.Content.ReadAsStringAsync(ct))}".TrimEnd());
            return await read(response);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or NotSupportedException)
        {
            throw new LogUnavailableException($"GET {url}: {e.Message}", e);
        }
    }

    private string Url(string path) => $"{_base}/api/log/{path}";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The detail (or title) of a problem+json answer, else the body as sent.</summary>
    private static string ProblemDetail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            foreach (var name in new[] { "detail", "title" })
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
                    return v.GetString()!;
        }
        catch (JsonException) { }
        return body.Length > 200 ? body[..200] : body;
    }
}
