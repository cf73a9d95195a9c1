using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using R2PTracker.ServiceDefaults;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The public entry's hardening, against the real services: cache keys, limits, headers, internal tokens.</summary>
public partial class GatewayHardeningTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/export/events.ndjson")]
    [InlineData("/api/export/pledges.csv")]
    [InlineData("/feeds/pledges.atom")]
    public async Task A_junk_parameter_gets_the_cached_answer_instead_of_a_new_build(string path)
    {
        using var reader = deployment.Gateway();
        // Any pledge change elsewhere (other tests write all along) evicts these, so a few tries are
        // allowed; were the junk part of the key (a fresh value each try), none would be a hit.
        var hit = false;
        for (var attempt = 0; attempt < 10 && !hit; attempt++)
        {
            (await reader.GetAsync(path, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            var junk = await reader.GetAsync($"{path}?r={Guid.NewGuid():N}", Ct);
            junk.StatusCode.ShouldBe(HttpStatusCode.OK);
            hit = junk.Headers.Age is not null;
        }
        hit.ShouldBeTrue();
    }

    [Fact]
    public async Task An_unknown_parameter_on_the_list_is_commitments_400_naming_it_and_is_never_cached()
    {
        using var reader = deployment.Gateway();
        for (var i = 0; i < 2; i++)
        {
            var response = await reader.GetAsync("/api/pledges?status=Kept&r=123", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            response.Headers.Age.ShouldBeNull();
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            problem.GetProperty("errors").TryGetProperty("r", out _).ShouldBeTrue(problem.GetRawText());
        }
    }

    [Fact]
    public async Task A_dashboard_page_with_an_unknown_parameter_is_a_400_page_that_names_it()
    {
        using var reader = deployment.Gateway();
        var response = await reader.GetAsync("/?status=Kept&r=123", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)).ShouldContain("'r' is not a parameter of this page");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/pledges/kh-r2p-focal-point")]
    [InlineData("/pledges/kh-r2p-4?asOf=2020-01-01&axis=occurred")]
    public async Task Dashboard_pages_with_the_record_carry_the_security_headers_and_no_inline_script_or_style(string path)
    {
        using var reader = deployment.Gateway();
        var response = await reader.GetAsync(path, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("script-src 'self'");
        csp.ShouldContain("style-src 'self'");
        csp.ShouldContain("frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");

        var html = await response.Content.ReadAsStringAsync(Ct);
        InlineScript().IsMatch(html).ShouldBeFalse("a <script> without src");
        html.ShouldNotContain("<style", Case.Insensitive);
        StyleAttribute().IsMatch(html).ShouldBeFalse("a style attribute");
        EventHandler().IsMatch(html).ShouldBeFalse("an on… attribute");
    }

    [Fact]
    public async Task Commitments_refuses_a_token_minted_for_another_backend()
    {
        var pledgeId = await deployment.NewPledgeAsync();
        HttpRequestMessage Assess() => new(HttpMethod.Post, $"/api/pledges/{pledgeId}/status")
        {
            Content = JsonContent.Create(new
            {
                status = "InTheWorks", reason = "Seen in the record", occurredOn = "2023-09-16",
                evidence = new[] { new { title = "CICP report", url = "https://cicp.org.kh/" } },
            }),
            Headers = { { "If-Match", "\"1\"" } },
        };
        using var direct = new HttpClient { BaseAddress = new Uri(deployment.CommitmentsUrl) };
        var key = InternalAuth.KeyFrom(deployment.SigningKey);

        var other = Assess();
        other.Headers.Authorization = new("Bearer", InternalAuth.IssueToken(key, "Other Backend", "admin", DateTimeOffset.UtcNow, InternalAuth.Audiences.Notifications));
        (await direct.SendAsync(other, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var own = Assess();
        own.Headers.Authorization = new("Bearer", InternalAuth.IssueToken(key, "Gateway Instance", "editor", DateTimeOffset.UtcNow, InternalAuth.Audiences.Commitments));
        (await direct.SendAsync(own, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Commitments_refuses_a_token_it_has_already_accepted()
    {
        using var direct = new HttpClient { BaseAddress = new Uri(deployment.CommitmentsUrl) };
        var token = InternalAuth.IssueToken(InternalAuth.KeyFrom(deployment.SigningKey), "Captured Token", "admin", DateTimeOffset.UtcNow);
        HttpRequestMessage Register(string id) => new(HttpMethod.Post, "/api/pledges")
        {
            Content = JsonContent.Create(Deployment.PledgeBody(id)),
            Headers = { Authorization = new("Bearer", token) },
        };
        var (first, replayed) = ("e2e-" + Guid.NewGuid().ToString("N")[..10], "e2e-" + Guid.NewGuid().ToString("N")[..10]);

        (await direct.SendAsync(Register(first), Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await direct.SendAsync(Register(replayed), Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await direct.GetAsync($"/api/pledges/{replayed}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>A body of unknown length, so it is sent chunked.</summary>
    private sealed class ChunkedContent(int bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = Encoding.UTF8.GetBytes(new string(' ', 4096));
            for (var sent = 0; sent < bytes; sent += chunk.Length) await stream.WriteAsync(chunk);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_64_KiB_is_a_413_problem_with_or_without_a_content_length(bool chunked)
    {
        using var client = deployment.Gateway();
        HttpContent body = chunked ? new ChunkedContent(200 * 1024) : new StringContent(new string(' ', 200 * 1024));
        body.Headers.ContentType = new("application/json");
        var response = await client.PostAsync("/api/subscriptions", body, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task A_gateway_started_with_a_live_stream_cap_refuses_the_stream_past_it()
    {
        var (process, url, home) = await deployment.AnotherGatewayAsync(new Dictionary<string, string>
        {
            ["Live__MaxConnectionsPerClient"] = "1",
        });
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };
            using var first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/live"), HttpCompletionOption.ResponseHeadersRead, Ct);
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var second = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/live"), HttpCompletionOption.ResponseHeadersRead, Ct);
            second.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            second.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
        finally
        {
            await process.DisposeAsync();
            home.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    [GeneratedRegex(@"<[^>]+\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandler();
}
