using R2PTracker.Testing;
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
        var (wrong, endpoints) = await ApiDescriptionChecks.OwnDocumentAsync(app.Factory, NotApi, TestContext.Current.CancellationToken);
        wrong.ShouldBeEmpty();
        endpoints.ShouldBeGreaterThan(5);
    }
}
