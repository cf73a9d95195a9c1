using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using R2PTracker.Notifications.Hosting;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

/// <summary>What a request may cost: its body is at most 64 KiB, and the answer to a bad one stays short.</summary>
public class RequestLimitsTests(NotificationsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string BadEventTypes(int count) =>
        "{\"kind\":\"webhook\",\"url\":\"https://example.org/hook\",\"filter\":{\"eventTypes\":["
        + string.Join(',', Enumerable.Repeat("\"pledge.exploded\"", count)) + "]}}";

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_with_a_short_413_problem()
    {
        var body = BadEventTypes(100_000 / 4); // about 500 KB
        Encoding.UTF8.GetByteCount(body).ShouldBeGreaterThan(400_000);

        var response = await app.Client().PostAsync("/api/subscriptions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(Ct)).Length.ShouldBeLessThan(1000);
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_read()
    {
        var body = BadEventTypes(3_500); // about 60 KB of event types, each of them wrong
        Encoding.UTF8.GetByteCount(body).ShouldBeInRange(50_000, 64 * 1024);

        var response = await app.Client().PostAsync("/api/subscriptions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_request_with_thousands_of_errors_lists_at_most_twenty_and_counts_the_rest()
    {
        // 502 errors: the kind, pledge ids given twice, 490 bad ids and 10 bad event types.
        var ids = string.Join(',', Enumerable.Repeat("\"Not A Slug\"", 490));
        var body = $"{{\"kind\":\"pigeon\",\"pledgeIds\":[{ids}],\"filter\":{{\"pledgeIds\":[{ids}],\"eventTypes\":[{string.Join(',', Enumerable.Repeat("\"x\"", 10))}]}}}}";

        var response = await app.Client().PostAsync("/api/subscriptions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var text = await response.Content.ReadAsStringAsync(Ct);
        text.Length.ShouldBeLessThan(4000);
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("errors").EnumerateObject().Count().ShouldBe(BoundedErrors.MaxListed);
        problem.GetProperty("errors").TryGetProperty("kind", out _).ShouldBeTrue();
        problem.GetProperty("errorsNotListed").GetInt32().ShouldBe(1 + 1 + 490 + 10 - BoundedErrors.MaxListed);
    }

    [Fact]
    public async Task More_than_ten_event_types_are_refused_as_one_error()
    {
        var response = await app.Client().PostAsync("/api/subscriptions",
            new StringContent(BadEventTypes(3_000), Encoding.UTF8, "application/json"), Ct);

        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.GetProperty("filter.eventTypes")[0].GetString().ShouldBe("'filter.eventTypes' may list at most 10 event types.");
        errors.EnumerateObject().Count(e => e.Name.StartsWith("filter.eventTypes[", StringComparison.Ordinal)).ShouldBe(10);
    }

    [Theory]
    [InlineData("Cambodia")]
    [InlineData("KHM")]
    [InlineData("XX")]
    [InlineData("")]
    public async Task A_country_that_is_not_an_ISO_alpha_2_code_is_refused_naming_the_field(string country)
    {
        var response = await app.Client().PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url = "https://example.org/hook", filter = new { country } }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("filter.country")[0].GetString()!
            .ShouldContain("ISO 3166-1 alpha-2");
    }
}

/// <summary>The same limit on Kestrel, for a body sent without a Content-Length (chunked), which no middleware can see coming.</summary>
public sealed class KestrelBodyLimitTests(NotificationsApp app) : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _kestrel = OnKestrel(app);

    private static Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> OnKestrel(NotificationsApp app)
    {
        var factory = app.Variant([]);
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    [Fact]
    public async Task A_chunked_body_over_64_KiB_is_cut_off_with_a_413()
    {
        var body = Encoding.UTF8.GetBytes("{\"kind\":\"webhook\",\"url\":\"https://example.org/hook\",\"filter\":{\"eventTypes\":["
            + string.Join(',', Enumerable.Repeat("\"pledge.exploded\"", 25_000)) + "]}}");
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _kestrel.CreateClient().SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync(Ct)).Length.ShouldBeLessThan(1000);
    }

    public async ValueTask DisposeAsync() => await _kestrel.DisposeAsync();
}
