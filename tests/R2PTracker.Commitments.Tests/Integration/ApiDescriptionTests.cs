using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>
/// The service's own OpenAPI document (on its internal port), from which the gateway publishes the
/// routes it forwards: every endpoint is in it, each success with a typed body.
/// </summary>
public sealed class ApiDescriptionTests(CommitmentsApp app)
{
    private static readonly string[] NotApi = ["/health/", "/openapi/", "/scalar"];

    [Fact]
    public async Task Every_endpoint_is_in_the_services_own_API_description_with_a_typed_answer()
    {
        var document = JsonNode.Parse(await app.Factory.CreateClient().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!.AsObject();
        var wrong = new List<string>();
        var endpoints = app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        foreach (var endpoint in endpoints)
        {
            var path = Template(endpoint.RoutePattern);
            if (NotApi.Any(p => path.StartsWith(p, StringComparison.Ordinal))) continue;
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

        wrong.ShouldBeEmpty();
        endpoints.Count.ShouldBeGreaterThan(5);
    }

    private static string Template(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart q => "{" + q.Name + "}",
            _ => "",
        }))));
}
