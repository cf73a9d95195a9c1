using System.Net;
using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using R2PTracker.ServiceDefaults;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>
/// Recording a translation is a staff write like any other, and reads in a language are cached per
/// language: by ?lang=, else by the language Accept-Language names (not by the header as written).
/// </summary>
public class TranslationRouteTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Path = "/api/pledges/kh-r2p-1/translations";

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpResponseMessage> TranslateAsync(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path)
        {
            Content = JsonContent.Create(new { target = "title", language = "km", text = "ការទទួលខុសត្រូវក្នុងការការពារ", translator = "Sok Dara", kind = "unofficial" }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        return await _gateway.Client().SendAsync(request, Ct);
    }

    private async Task<HttpResponseMessage> GetAsync(string url, string? acceptLanguage = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null) request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        var response = await _gateway.Client().SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return response;
    }

    [Fact]
    public async Task A_translation_reaches_commitments_as_a_staff_write_with_the_staff_members_jwt()
    {
        (await TranslateAsync(null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        _gateway.Backend.Count(Path).ShouldBe(0, "an anonymous write is refused at the gateway");

        var token = await app.Staff.AddAsync("Translator Thida", "editor", "tests", Ct);
        (await TranslateAsync(token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var forwarded = _gateway.Backend.Requests.Single(r => r.Path == Path);
        forwarded.Method.ShouldBe("POST");
        forwarded.Header("If-Match").ShouldBe("\"1\"");
        var jwt = forwarded.Header("Authorization").ShouldNotBeNull();
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(jwt["Bearer ".Length..],
            InternalAuth.ValidationParameters(InternalAuth.KeyFrom(TestEnvironment.SigningKey), InternalAuth.Audiences.Commitments));
        validated.IsValid.ShouldBeTrue();
        validated.Claims[InternalAuth.NameClaim].ShouldBe("Translator Thida");
    }

    [Theory]
    [InlineData("/api/pledges/kh-r2p-1")]
    [InlineData("/api/pledges")]
    public async Task Reads_are_cached_per_lang(string path)
    {
        (await GetAsync($"{path}?lang=km")).Headers.Age.ShouldBeNull();
        (await GetAsync($"{path}?lang=km")).Headers.Age.ShouldNotBeNull("?lang= is a parameter the route reads");
        (await GetAsync($"{path}?lang=en")).Headers.Age.ShouldBeNull("English is another entry");
        _gateway.Backend.Count(path, "?lang=km").ShouldBe(1);
        _gateway.Backend.Count(path, "?lang=en").ShouldBe(1);
    }

    [Theory]
    [InlineData("/api/pledges/kh-r2p-2")]
    [InlineData("/api/pledges")]
    public async Task Without_lang_reads_are_cached_per_language_that_accept_language_names(string path)
    {
        (await GetAsync(path, "km-KH,km;q=0.9")).Headers.Age.ShouldBeNull();
        _gateway.Backend.Requests.Last(r => r.Path == path).Header("Accept-Language").ShouldNotBeNull().ShouldStartWith("km-KH");
        (await GetAsync(path, "km")).Headers.Age.ShouldNotBeNull("km-KH and km both ask for Khmer");
        (await GetAsync(path, "en-US,en;q=0.5")).Headers.Age.ShouldBeNull("English is another entry");
        (await GetAsync(path, "en")).Headers.Age.ShouldNotBeNull();
        (await GetAsync(path)).Headers.Age.ShouldBeNull("no language: the originals alone, another entry");
        (await GetAsync(path, "fr")).Headers.Age.ShouldNotBeNull("a language commitments does not offer reads as none");
        _gateway.Backend.Count(path, "").ShouldBe(3);
    }
}
