using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace R2PTracker.Testing;

/// <summary>What the services' own OpenAPI documents are held to, shared by each service's tests and the gateway's.</summary>
public static class ApiDescriptionChecks
{
    /// <summary>A route pattern as OpenAPI writes its path: parameters by name, without constraints.</summary>
    public static string Template(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart q => "{" + q.Name + "}",
            _ => "",
        }))));

    /// <summary>
    /// What is wrong with a backend's own document (served at /openapi/v1.json): each of its endpoints (but
    /// those under <paramref name="notApi"/>) must be in it, each success but 204 with a typed body. Also
    /// gives the number of endpoints looked at, so a test can tell that it looked at something.
    /// </summary>
    public static async Task<(List<string> Wrong, int Endpoints)> OwnDocumentAsync<TEntryPoint>(
        WebApplicationFactory<TEntryPoint> factory, IReadOnlyCollection<string> notApi, CancellationToken ct)
        where TEntryPoint : class
    {
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json", ct))!.AsObject();
        var wrong = new List<string>();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        foreach (var endpoint in endpoints)
        {
            var path = Template(endpoint.RoutePattern);
            if (notApi.Any(p => path.StartsWith(p, StringComparison.Ordinal))) continue;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                if (document["paths"]?[path]?[method.ToLowerInvariant()] is not JsonObject operation)
                {
                    wrong.Add($"{method} {path} is not described");
                    continue;
                }
                foreach (var (status, response) in operation["responses"]!.AsObject().Where(r => r.Key[0] == '2' && r.Key != "204"))
                    if (response!["content"] is not JsonObject { Count: > 0 } content || content.Any(c => c.Value?["schema"] is null))
                        wrong.Add($"{method} {path}: {status} has no typed content");
            }
        }
        return (wrong, endpoints.Count);
    }
}
