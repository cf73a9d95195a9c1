using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using R2PTracker.Commitments.Feeds;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

public class PublicLinksTests
{
    private static HttpContext Request(params (string Name, string Value)[] headers)
    {
        var http = new DefaultHttpContext();
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("127.0.0.1:8081");
        foreach (var (name, value) in headers) http.Request.Headers[name] = value;
        return http;
    }

    private static PublicLinks Links(string? configured) => new(Options.Create(new PublicLinksOptions { PublicBaseUrl = configured }));

    [Fact]
    public void The_configured_public_base_url_wins() =>
        Links("https://tracker.example.org/r2p").Site(Request(("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "http")))
            .ToString().ShouldBe("https://tracker.example.org/r2p/");

    [Fact]
    public void Without_one_the_host_the_gateway_forwarded_is_used() =>
        Links(null).Site(Request(("X-Forwarded-Host", "tracker.example.org, 10.0.0.5"), ("X-Forwarded-Proto", "https")))
            .ToString().ShouldBe("https://tracker.example.org/");

    [Theory]
    [InlineData("tracker.example.org/path", "https")]
    [InlineData("user@tracker.example.org", "https")]
    [InlineData("tracker.example.org", "javascript")]
    public void A_forwarded_host_that_is_not_a_plain_host_is_not_used(string host, string proto) =>
        Links(null).Site(Request(("X-Forwarded-Host", host), ("X-Forwarded-Proto", proto))).ToString().ShouldBe("http://127.0.0.1:8081/");

    [Theory]
    [InlineData("https://tracker.example.org", true)]
    [InlineData("", true)]
    [InlineData("ftp://tracker.example.org", false)]
    [InlineData("https://tracker.example.org/?a=1", false)]
    [InlineData("tracker.example.org", false)]
    public void A_public_base_url_must_be_absolute_http(string value, bool valid) => PublicLinks.IsValidBase(value).ShouldBe(valid);
}
