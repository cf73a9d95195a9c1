using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Yarp.ReverseProxy;

namespace R2PTracker.Gateway.ApiDescription;

/// <summary>
/// GET /openapi/v1.json: the gateway's own endpoints (its "gateway" OpenAPI document, made from their
/// metadata) and, from each backend's own document (made from its endpoints' metadata), the operations
/// the proxy's routes forward. Nothing is written twice, so nothing drifts: a backend's endpoint is
/// described where it is mapped, and the routes decide what of it is public. The result is kept for a
/// minute; a backend that cannot be read makes it a 503, never a document with a part missing.
/// </summary>
public sealed class PublicApiDocument(
    [FromKeyedServices(ApiDescriptions.OwnDocument)] IOpenApiDocumentProvider own, IProxyStateLookup proxy,
    IHttpClientFactory clients, TimeProvider clock, ILogger<PublicApiDocument> logger)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _building = new(1, 1);
    private (string Json, DateTimeOffset At)? _built;

    public async Task<string?> GetAsync(CancellationToken ct)
    {
        if (_built is { } fresh && clock.GetUtcNow() - fresh.At < Lifetime) return fresh.Json;
        await _building.WaitAsync(ct);
        try
        {
            if (_built is { } again && clock.GetUtcNow() - again.At < Lifetime) return again.Json;
            var json = await BuildAsync(ct);
            if (json is not null) _built = (json, clock.GetUtcNow());
            return json;
        }
        finally
        {
            _building.Release();
        }
    }

    private async Task<string?> BuildAsync(CancellationToken ct)
    {
        var document = (JsonObject)JsonNode.Parse(await (await own.GetOpenApiDocumentAsync(ct)).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, ct))!;
        var routes = PublicRoute.From(proxy);
        // One document per backend (its destinations): the import cluster has the same ones as commitments.
        var backends = routes.Select(r => r.ClusterId).Distinct()
            .Select(c => (Cluster: c, Addresses: Addresses(c)))
            .Where(b => b.Addresses.Count > 0)
            .GroupBy(b => string.Join(' ', b.Addresses), StringComparer.OrdinalIgnoreCase);
        foreach (var backend in backends)
        {
            var service = backend.OrderBy(b => b.Cluster.Length).First().Cluster;
            // Any instance will do: they run the same build.
            string? text = null;
            foreach (var address in backend.First().Addresses)
                if ((text = await ReadAsync(address, ct)) is not null) break;
            if (text is null) return null;
            var clusters = backend.Select(b => b.Cluster).ToHashSet(StringComparer.Ordinal);
            ApiDocumentMerge.AddBackend(document, (JsonObject)JsonNode.Parse(text)!, service, routes.Where(r => clusters.Contains(r.ClusterId)).ToList());
        }
        ApiDocumentMerge.Finish(document);
        return document.ToJsonString();
    }

    private List<string> Addresses(string clusterId) =>
        proxy.TryGetCluster(clusterId, out var cluster)
            ? cluster.Destinations.Values.Select(d => d.Model.Config.Address).Order(StringComparer.OrdinalIgnoreCase).ToList()
            : [];

    private async Task<string?> ReadAsync(string address, CancellationToken ct)
    {
        var url = new Uri(new Uri(address), ApiDescriptions.DocumentPath);
        try
        {
            using var response = await clients.CreateClient(nameof(PublicApiDocument)).GetAsync(url, ct);
            if (response.IsSuccessStatusCode) return await response.Content.ReadAsStringAsync(ct);
            logger.LogWarning("The API description of {Url} answered {Status}", url, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "The API description of {Url} could not be read", url);
        }
        return null;
    }
}
