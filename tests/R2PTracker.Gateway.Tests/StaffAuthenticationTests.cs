using System.Net;
using System.Net.Http.Json;
using System.Text;
using R2PTracker.Gateway.Staff;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

public class StaffAuthenticationTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> WriteAsync(string? token)
    {
        var client = app.Factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/pledges/kh-r2p-1/status") { Content = JsonContent.Create(new { status = "Kept" }) };
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_write_without_a_token_gets_401_problem_details()
    {
        var response = await WriteAsync(null);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
    }

    [Fact]
    public async Task A_write_with_an_unknown_token_gets_401() =>
        (await WriteAsync("r2p_not-a-real-token")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task A_write_with_a_valid_token_passes_the_gateway_to_the_backend()
    {
        var token = await app.Staff.AddAsync("Valid Vanna", "editor", "tests", Ct);
        // The backend is unreachable in this fixture, so getting past authentication shows as 502.
        (await WriteAsync(token)).StatusCode.ShouldBe(HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task A_revoked_token_gets_401()
    {
        var name = "Revoked " + Guid.NewGuid().ToString("N")[..6];
        var token = await app.Staff.AddAsync(name, "editor", "tests", Ct);
        (await app.Staff.FindByTokenAsync(token, Ct)).ShouldNotBeNull().Name.ShouldBe(name);

        (await app.Staff.RevokeAsync(name, "tests", Ct)).ShouldBe(1);

        (await app.Staff.FindByTokenAsync(token, Ct)).ShouldBeNull();
        (await WriteAsync(token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Tokens_are_stored_only_as_hashes()
    {
        var token = await app.Staff.AddAsync("Hash Heng", "admin", "tests", Ct);
        var hashes = await app.StoredHashesAsync();
        hashes.ShouldContain(h => h.SequenceEqual(StaffStore.Hash(token)));
        hashes.ShouldAllBe(h => !Encoding.UTF8.GetString(h).Contains(token));
    }

    [Fact]
    public async Task Only_known_roles_can_be_given() =>
        await Should.ThrowAsync<ArgumentException>(() => app.Staff.AddAsync("Root", "superuser", "tests", Ct));
}
