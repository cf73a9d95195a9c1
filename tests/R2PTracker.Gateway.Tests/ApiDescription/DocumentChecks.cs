using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using R2PTracker.Testing;
using Yarp.ReverseProxy;

namespace R2PTracker.Gateway.Tests.ApiDescription;

/// <summary>
/// What the tests hold the public document to, each check a list of what is wrong (empty when all is well),
/// found from the running gateway itself: its proxy's routes and its own endpoints.
/// </summary>
public static class DocumentChecks
{
    /// <summary>The gateway's own endpoints that are not part of the API: health probes, the description itself.</summary>
    private static readonly string[] NotApi = ["/health/", "/openapi/", "/api/docs"];

    public static IEnumerable<(string Path, string Method)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(o => o.Key is "get" or "head" or "post" or "put" or "delete" or "patch" or "options")
            .Select(o => (p.Key, o.Key)));

    /// <summary>Every route of the proxy forwards some described operation, and every endpoint of the gateway's own is described.</summary>
    public static List<string> Undescribed(IServiceProvider services, JsonObject document)
    {
        var missing = new List<string>();
        var operations = Operations(document).ToList();
        foreach (var route in services.GetRequiredService<IProxyStateLookup>().GetRoutes().Select(r => r.Config))
        {
            // ASP.NET's own template matcher, not the gateway's: a described path with sample values reaches the route.
            var matcher = new TemplateMatcher(TemplateParser.Parse(route.Match.Path!.TrimStart('/')), new RouteValueDictionary());
            var methods = route.Match.Methods;
            if (!operations.Any(o => (methods is not { Count: > 0 } || methods.Contains(o.Method, StringComparer.OrdinalIgnoreCase))
                                     && matcher.TryMatch(Sample(o.Path), new RouteValueDictionary())))
                missing.Add($"route '{route.RouteId}' ({route.Match.Path}) forwards no described operation");
        }
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is not null) continue;
            var path = Template(endpoint.RoutePattern);
            if (NotApi.Any(p => path.StartsWith(p, StringComparison.Ordinal) || path + "/" == p)) continue;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                if (document["paths"]?[path]?[method.ToLowerInvariant()] is null)
                    missing.Add($"gateway endpoint {method} {path} ({endpoint.DisplayName}) is not described");
        }
        return missing;
    }

    /// <summary>
    /// Every operation answers something typed: a success with a schema (or a status that has no body), and
    /// its API problems (under /api and /feeds) as RFC 9457 problem details.
    /// </summary>
    public static List<string> Untyped(JsonObject document)
    {
        var wrong = new List<string>();
        foreach (var (path, method) in Operations(document))
        {
            var responses = document["paths"]![path]![method]!["responses"]?.AsObject();
            if (responses is null || responses.Count == 0) { wrong.Add($"{method} {path}: no responses"); continue; }
            var successes = responses.Where(r => r.Key[0] is '2' or '3').ToList();
            if (successes.Count == 0) wrong.Add($"{method} {path}: no success response");
            foreach (var (status, response) in successes)
            {
                if (status is "204" or "302" or "303" or "304") continue;
                var content = response!["content"]?.AsObject();
                if (content is null || content.Count == 0 || content.Any(c => c.Value?["schema"] is null))
                    wrong.Add($"{method} {path}: {status} has no typed content");
            }
            if (!path.StartsWith("/api/", StringComparison.Ordinal) && !path.StartsWith("/feeds/", StringComparison.Ordinal)) continue;
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                var schema = response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>();
                if (schema is not ("#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails"))
                    wrong.Add($"{method} {path}: {status} is not problem details");
            }
        }
        return wrong;
    }

    /// <summary>"/api/pledges/{id}/milestones/{milestoneId}" → "/api/pledges/x/milestones/x", "{id}.atom" → "x.atom".</summary>
    public static string Sample(string path) => System.Text.RegularExpressions.Regex.Replace(path, "\\{[^}]+\\}", "x");

    /// <summary>A route pattern as OpenAPI writes its path: parameters by name, without constraints.</summary>
    public static string Template(RoutePattern pattern) => ApiDescriptionChecks.Template(pattern);
}
