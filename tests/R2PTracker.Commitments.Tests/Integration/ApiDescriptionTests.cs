using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Integration;

public class ApiDescriptionTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_openapi_document_describes_every_write_and_read()
    {
        var doc = await app.Anonymous().GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[]
                 {
                     "/api/pledges", "/api/pledges/{id}", "/api/pledges/{id}/progress", "/api/pledges/{id}/target-date",
                     "/api/pledges/{id}/details", "/api/pledges/{id}/milestones/{milestoneId}/corrections",
                     "/api/pledges/{id}/milestones/{milestoneId}/retraction", "/api/pledges/{id}/evidence", "/api/pledges/{id}/translations",
                     "/api/pledges/{id}/history", "/api/pledges/{id}/verify", "/api/pledges/{id}/status-history", "/api/tallies",
                     "/api/tallies/series", "/api/export/events.ndjson",
                 })
            paths.ShouldContain(path);
    }

    [Fact]
    public async Task The_scalar_page_is_served_in_development()
    {
        var response = await app.Anonymous().GetAsync("/scalar/v1", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("openapi/v1.json");
    }
}
