using System.Net;
using System.Text;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>Every route takes at most 64 KiB of body (RequestBody:MaxBytes), the import its own limit.</summary>
public class BodyLimitTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private static StringContent Json(int bytes) => new("{\"url\":\"" + new string('x', bytes) + "\"}", Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("/api/subscriptions")]
    [InlineData("/api/subscriptions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/confirm")]
    [InlineData("/api/pledges/kh-r2p-1/status")]
    [InlineData("/api/admin/staff")]
    public async Task A_body_over_64_KiB_is_refused_with_413_problem_details_and_not_forwarded(string path)
    {
        var response = await _gateway.Client().PostAsync(path, Json(70 * 1024), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        _gateway.Backend.Count(path).ShouldBe(0);
    }

    [Fact]
    public async Task A_sign_in_form_over_64_KiB_is_refused()
    {
        var response = await _gateway.Client().PostAsync("/auth/sign-in",
            new FormUrlEncodedContent([new("token", new string('x', 70 * 1024)), new("returnUrl", "/")]), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_sign_in_that_is_not_a_form_is_a_415_problem_not_an_error()
    {
        var response = await _gateway.Client().PostAsync("/auth/sign-in", Json(10), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task A_body_under_the_limit_is_forwarded()
    {
        (await _gateway.Client().PostAsync("/api/subscriptions", Json(60 * 1024), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        _gateway.Backend.Count("/api/subscriptions").ShouldBe(1);
    }

    [Fact]
    public async Task An_admin_import_over_64_KiB_is_forwarded_to_its_own_limit()
    {
        await using var small = await GatewayVariant.StartAsync(app, new Dictionary<string, string> { ["Import:MaxBodyBytes"] = "300000" });
        var token = await app.Staff.AddAsync("Admin " + Guid.NewGuid().ToString("N")[..6], "admin", "tests", Ct);
        async Task<HttpStatusCode> ImportAsync(int bytes)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/import")
            {
                Content = new StringContent(new string(' ', bytes), Encoding.UTF8, "application/x-ndjson"),
                Headers = { Authorization = new("Bearer", token) },
            };
            return (await small.Client().SendAsync(request, Ct)).StatusCode;
        }
        (await ImportAsync(200 * 1024)).ShouldBe(HttpStatusCode.OK);
        (await ImportAsync(400 * 1024)).ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        small.Backend.Count("/api/import").ShouldBe(1);
    }
}

/// <summary>A chunked body (no Content-Length) is cut off by Kestrel's limit while it is forwarded, as a 413 problem.</summary>
public class ChunkedBodyLimitTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A body of unknown length, so HttpClient sends it chunked.</summary>
    private sealed class ChunkedContent(int bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = Encoding.UTF8.GetBytes(new string('x', 4096));
            for (var sent = 0; sent < bytes; sent += chunk.Length) await stream.WriteAsync(chunk);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_chunked_body_over_64_KiB_is_refused_with_413_problem_details_and_not_forwarded_whole()
    {
        await using var gateway = await GatewayVariant.StartAsync(app, kestrel: true);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions") { Content = new ChunkedContent(200 * 1024) };
        request.Content.Headers.ContentType = new("application/json");
        var response = await gateway.Client().SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        var small = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions") { Content = new ChunkedContent(8 * 1024) };
        (await gateway.Client().SendAsync(small, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
