using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using R2PTracker.ServiceDefaults;
using R2PTracker.Testing;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>The gateway's internal JWT is accepted once, by whichever instance sees it first.</summary>
public class InternalTokenReplayTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly SymmetricSecurityKey Key = InternalAuth.KeyFrom(TestEnvironment.SigningKey);

    private static string Token() => InternalAuth.IssueToken(Key, "Alice Editor", "admin", DateTimeOffset.UtcNow);

    private static async Task<HttpStatusCode> RegisterWithAsync(HttpClient client, string token, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/pledges") { Content = JsonContent.Create(NewPledge(id)) };
        request.Headers.Authorization = new("Bearer", token);
        return (await client.SendAsync(request, Ct)).StatusCode;
    }

    private async Task<HttpStatusCode> ReadAsync(string id) => (await app.Anonymous().GetAsync($"/api/pledges/{id}", Ct)).StatusCode;

    [Fact]
    public async Task A_token_sent_a_second_time_returns_401_and_writes_nothing()
    {
        var token = Token();
        var (first, second) = (NewId(), NewId());
        using var client = app.Anonymous();

        (await RegisterWithAsync(client, token, first)).ShouldBe(HttpStatusCode.Created);
        (await RegisterWithAsync(client, token, second)).ShouldBe(HttpStatusCode.Unauthorized);
        (await ReadAsync(second)).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_token_one_instance_accepted_is_refused_by_another_on_the_same_database()
    {
        await using var other = app.Factory.WithWebHostBuilder(_ => { });
        var token = Token();
        var (first, second) = (NewId(), NewId());

        (await RegisterWithAsync(app.Anonymous(), token, first)).ShouldBe(HttpStatusCode.Created);
        (await RegisterWithAsync(other.CreateClient(), token, second)).ShouldBe(HttpStatusCode.Unauthorized);
        (await ReadAsync(second)).ShouldBe(HttpStatusCode.NotFound);
        // The other instance does take a token of its own.
        (await RegisterWithAsync(other.CreateClient(), Token(), second)).ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_token_without_an_id_returns_401()
    {
        var now = DateTime.UtcNow;
        var withoutId = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = InternalAuth.Issuer,
            Audience = InternalAuth.Audiences.Commitments,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + InternalAuth.Lifetime,
            Subject = new ClaimsIdentity([new Claim(InternalAuth.NameClaim, "Alice Editor"), new Claim(InternalAuth.RoleClaim, "admin")]),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
        new JsonWebToken(withoutId).Id.ShouldBeNullOrEmpty();
        var id = NewId();

        (await RegisterWithAsync(app.Anonymous(), withoutId, id)).ShouldBe(HttpStatusCode.Unauthorized);
        (await ReadAsync(id)).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_ids_of_long_expired_tokens_are_purged_and_those_of_live_ones_kept()
    {
        var store = app.Factory.Services.GetRequiredService<PostgresJtiStore>();
        var (expired, live) = ("expired-" + Guid.NewGuid().ToString("N"), "live-" + Guid.NewGuid().ToString("N"));
        (await store.TryConsumeAsync(expired, DateTimeOffset.UtcNow - PostgresJtiStore.Retention - TimeSpan.FromMinutes(1), Ct)).ShouldBeTrue();
        (await store.TryConsumeAsync(live, DateTimeOffset.UtcNow + InternalAuth.Lifetime, Ct)).ShouldBeTrue();

        (await store.PurgeExpiredAsync(Ct)).ShouldBeGreaterThanOrEqualTo(1);

        // A purged id would be taken again; a kept one is still refused.
        (await store.TryConsumeAsync(expired, DateTimeOffset.UtcNow + InternalAuth.Lifetime, Ct)).ShouldBeTrue();
        (await store.TryConsumeAsync(live, DateTimeOffset.UtcNow + InternalAuth.Lifetime, Ct)).ShouldBeFalse();
    }

    private sealed class UnreachableStore : IJtiStore
    {
        public Task<bool> TryConsumeAsync(string jti, DateTimeOffset expiresAt, CancellationToken ct) =>
            throw new Npgsql.NpgsqlException("Connection refused", new System.Net.Sockets.SocketException(111));
    }

    [Fact]
    public async Task A_token_that_cannot_be_checked_for_replay_returns_503_not_401()
    {
        await using var cut = app.Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IJtiStore, UnreachableStore>()));
        var id = NewId();

        var response = await cut.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/pledges")
        {
            Content = JsonContent.Create(NewPledge(id)),
            Headers = { Authorization = new("Bearer", Token()) },
        }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
