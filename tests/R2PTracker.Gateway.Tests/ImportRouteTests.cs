using System.Net;
using System.Text;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>POST /api/import: an admin's write, the one route with a large body.</summary>
public class ImportRouteTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> PostAsync(string path, string? token, int bytes = 100)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(new string(' ', bytes), Encoding.UTF8, "application/x-ndjson"),
        };
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        return await app.Factory.CreateClient().SendAsync(request, Ct);
    }

    [Fact]
    public async Task An_import_without_a_token_gets_401_problem_details()
    {
        var response = await PostAsync("/api/import", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task An_editor_may_not_import()
    {
        var token = await app.Staff.AddAsync("Editor " + Guid.NewGuid().ToString("N")[..6], "editor", "tests", Ct);
        var response = await PostAsync("/api/import", token);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task An_admin_import_over_64_KiB_is_forwarded_while_a_pledge_write_that_size_is_refused()
    {
        var token = await app.Staff.AddAsync("Admin " + Guid.NewGuid().ToString("N")[..6], "admin", "tests", Ct);
        // The backend is unreachable in this fixture, so getting past the gateway shows as 502.
        (await PostAsync("/api/import", token, 200 * 1024)).StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        (await PostAsync("/api/pledges", token, 200 * 1024)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }
}
