using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;

namespace R2PTracker.Gateway.Tests.ApiDescription;

/// <summary>GET /openapi/v1.json at the gateway, in front of the real backends.</summary>
public sealed class PublicApiDocumentTests(GatewayApp app, RealBackends backends) : IClassFixture<RealBackends>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WebApplicationFactory<Program> Gateway(IReadOnlyDictionary<string, string>? settings = null) =>
        app.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("ReverseProxy:Clusters:commitments:Destinations:primary:Address", backends.CommitmentsUrl + "/");
            b.UseSetting("ReverseProxy:Clusters:notifications:Destinations:primary:Address", backends.NotificationsUrl + "/");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) b.UseSetting(key, value);
        });

    private static async Task<JsonObject> DocumentAsync(WebApplicationFactory<Program> gateway)
    {
        using var response = await gateway.CreateClient().GetAsync("/openapi/v1.json", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task The_public_document_passes_an_independent_OpenAPI_validator()
    {
        await using var gateway = Gateway();
        var document = await DocumentAsync(gateway);

        var (exitCode, output) = await OpenApiValidator.ValidateAsync(document.ToJsonString());

        exitCode.ShouldBe(0, output);
        output.ShouldContain("valid: R2P Tracker public API");
    }

    [Fact]
    public async Task The_validator_refuses_a_document_with_a_broken_reference()
    {
        await using var gateway = Gateway();
        var document = await DocumentAsync(gateway);
        document["paths"]!["/api/tallies"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"] =
            new JsonObject { ["$ref"] = "#/components/schemas/NoSuchSchema" };

        var (exitCode, output) = await OpenApiValidator.ValidateAsync(document.ToJsonString());

        exitCode.ShouldNotBe(0, output);
    }

    [Fact]
    public async Task Every_route_of_the_proxy_and_every_endpoint_of_the_gateway_is_described()
    {
        await using var gateway = Gateway();
        var document = await DocumentAsync(gateway);

        DocumentChecks.Undescribed(gateway.Services, document).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_route_added_without_a_description_is_reported()
    {
        await using var gateway = Gateway(new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:undescribed:ClusterId"] = "commitments",
            ["ReverseProxy:Routes:undescribed:Match:Path"] = "/api/undescribed/{**rest}",
        });
        var document = await DocumentAsync(gateway);

        DocumentChecks.Undescribed(gateway.Services, document)
            .ShouldBe(["route 'undescribed' (/api/undescribed/{**rest}) forwards no described operation"]);
    }

    [Fact]
    public async Task Every_operation_a_backend_describes_and_a_route_forwards_is_public_and_nothing_else()
    {
        await using var gateway = Gateway();
        var document = await DocumentAsync(gateway);
        using var http = new HttpClient();
        var forwarded = new List<string>();
        foreach (var url in new[] { backends.CommitmentsUrl, backends.NotificationsUrl })
        {
            var own = JsonNode.Parse(await http.GetStringAsync(url + "/openapi/v1.json", Ct))!.AsObject();
            forwarded.AddRange(DocumentChecks.Operations(own).Select(o => $"{o.Method} {o.Path}"));
        }
        var gatewayOwn = new[] { "/api/live", "/api/admin/", "/", "/pledges/", "/verify", "/review", "/sign-in", "/language", "/auth/", "/submissions" };

        var published = DocumentChecks.Operations(document).Select(o => $"{o.Method} {o.Path}").ToList();

        // Every backend's operation is forwarded by some route today; any left out would be listed here.
        forwarded.Except(published).ShouldBeEmpty();
        published.Where(p => !forwarded.Contains(p)).Select(p => p[(p.IndexOf(' ') + 1)..])
            .Where(p => !gatewayOwn.Any(g => g == "/" ? p == "/" : p.StartsWith(g, StringComparison.Ordinal)))
            .ShouldBeEmpty();
        forwarded.Count.ShouldBeGreaterThan(30);
    }

    [Fact]
    public async Task Every_operation_answers_typed_content_and_its_problems_as_problem_details()
    {
        await using var gateway = Gateway();
        var document = await DocumentAsync(gateway);

        DocumentChecks.Untyped(document).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_staff_write_is_described_with_its_body_its_credentials_and_every_problem_it_can_answer()
    {
        await using var gateway = Gateway();
        var document = await DocumentAsync(gateway);

        var write = document["paths"]!["/api/pledges/{id}/status"]!["post"]!.AsObject();
        // The body may be left out (that is a 400 naming it), so its schema is the request or null.
        write["requestBody"]!["content"]!["application/json"]!["schema"]!["oneOf"]!.AsArray().Select(s => (string?)s!["$ref"])
            .ShouldContain("#/components/schemas/AssessStatusRequest");
        write["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().ShouldBe("#/components/schemas/Pledge");
        write["responses"]!.AsObject().Select(r => r.Key).ShouldBe(["200", "202", "400", "401", "403", "404", "412", "428", "413", "429", "502", "503", "504"], ignoreOrder: true);
        write["responses"]!["400"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>()
            .ShouldBe("#/components/schemas/HttpValidationProblemDetails");
        write["parameters"]!.AsArray().Select(p => (string)p!["name"]!).ShouldContain("If-Match");
        write["security"]!.ToJsonString().ShouldBe("""[{"staffToken":[]},{"staffSession":[],"antiForgery":[]}]""");

        var import = document["paths"]!["/api/import"]!["post"]!.AsObject();
        import["responses"]!.AsObject().Select(r => r.Key).ShouldContain("403");
        import["responses"]!.AsObject().Select(r => r.Key).ShouldNotContain("429");

        var manage = document["paths"]!["/api/subscriptions/{id}"]!["get"]!.AsObject();
        manage["security"]!.ToJsonString().ShouldBe("""[{"manageToken":[]}]""");
        manage["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().ShouldBe("#/components/schemas/SubscriptionView");

        var read = document["paths"]!["/api/pledges"]!["get"]!.AsObject();
        read["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["items"]!["$ref"]!.GetValue<string>().ShouldBe("#/components/schemas/Pledge");
        read["parameters"]!.AsArray().Select(p => (string)p!["name"]!).ShouldBe(["status", "theme", "actor", "country", "overdue", "q", "verifiability", "reason", "asOf", "axis", "sort", "limit", "cursor", "lang"]);
        read.ContainsKey("security").ShouldBeFalse();
    }

    [Fact]
    public async Task A_backend_that_cannot_be_read_makes_the_document_unavailable_rather_than_partial()
    {
        await using var gateway = Gateway(new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:notifications:Destinations:primary:Address"] = "http://127.0.0.1:9/",
        });

        using var response = await gateway.CreateClient().GetAsync("/openapi/v1.json", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
