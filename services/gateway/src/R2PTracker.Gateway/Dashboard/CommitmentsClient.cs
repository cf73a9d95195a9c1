using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace R2PTracker.Gateway.Dashboard;

public sealed record SourceView(string? Title, string? Publisher, string? PublishedOn, string? Url, string? Note);

public sealed record PledgeView(
    string Id, string Title, string? Quote, string? Actor, string? Country, string? MadeOn, string? MadeOnNote,
    string? TargetDate, string? TargetDateNote, string Status, string? StatusReason, string? StatusSince,
    int Progress, long Version, SourceView? Source, int MilestoneCount);

public sealed record EvidenceView(string? Title, string? Url, string? PublishedOn);

/// <summary>A timeline entry as the dashboard shows it, read leniently from the commitments JSON.</summary>
public sealed record TimelineView(
    long Version, string Type, string? OccurredOn, DateTimeOffset? RecordedAt, string? RecordedBy,
    string? Title, string? Text, string? Status, IReadOnlyList<EvidenceView> Evidence);

/// <summary>Reads pledges from the commitments service (the same address YARP forwards to).</summary>
public sealed class CommitmentsClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public async Task<IReadOnlyList<PledgeView>> ListAsync(string? asOf, string? axis, CancellationToken ct)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(asOf)) query.Add("asOf=" + Uri.EscapeDataString(asOf));
        if (!string.IsNullOrEmpty(axis)) query.Add("axis=" + Uri.EscapeDataString(axis));
        var url = "/api/pledges" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        using var response = await http.GetAsync(url, ct);
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<List<PledgeView>>(Json, ct) ?? [];
    }

    public async Task<PledgeView?> GetAsync(string id, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/api/pledges/{Uri.EscapeDataString(id)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureOk(response, ct);
        return await response.Content.ReadFromJsonAsync<PledgeView>(Json, ct);
    }

    public async Task<IReadOnlyList<TimelineView>> TimelineAsync(string id, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/api/pledges/{Uri.EscapeDataString(id)}/timeline", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        await EnsureOk(response, ct);
        var entries = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
        return entries.ValueKind == JsonValueKind.Array ? entries.EnumerateArray().Select(ToView).ToList() : [];
    }

    private static async Task EnsureOk(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new BackendException((int)response.StatusCode, body);
    }

    private static TimelineView ToView(JsonElement e)
    {
        var data = e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        string? Str(JsonElement el, string name) =>
            el.ValueKind == JsonValueKind.Object && el.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var evidence = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("evidence", out var ev) && ev.ValueKind == JsonValueKind.Array
            ? ev.EnumerateArray().Select(x => new EvidenceView(Str(x, "title"), Str(x, "url"), Str(x, "publishedOn"))).ToList()
            : [];
        var type = Str(e, "type") ?? "Event";
        var status = Str(data, "to");
        var text = Str(data, "reason") ?? Str(data, "description");
        var title = Str(data, "title");
        if (type == "StatusAssessed" && status is not null) title = $"Status: {StatusText.Label(Str(data, "from") ?? "?")} → {StatusText.Label(status)}";
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Number)
            title ??= $"Progress: {p.GetInt32()}%";
        DateTimeOffset? recordedAt = e.TryGetProperty("recordedAt", out var r) && r.TryGetDateTimeOffset(out var at) ? at : null;
        return new TimelineView(
            e.TryGetProperty("version", out var version) && version.TryGetInt64(out var v) ? v : 0,
            type, Str(e, "occurredOn"), recordedAt, Str(e, "recordedBy") ?? Str(e, "actor"), title, text, status, evidence);
    }
}

public sealed class BackendException(int status, string body) : Exception($"Commitments answered {status}.")
{
    public int Status { get; } = status;
    public string Body { get; } = body;
}
