using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>
/// Two gateway instances behind one address, as a scaled-out deployment runs them: a second
/// gateway process on the same database, broker and backends, with a home folder of its own (so
/// ASP.NET's default per-machine key ring, under ~/.aspnet, is not shared, as it is not between
/// two machines or containers).
/// </summary>
public sealed partial class GatewayScaleOutTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_staff_session_and_its_anti_forgery_token_from_one_gateway_instance_work_on_another()
    {
        var (second, secondUrl, home) = await deployment.AnotherGatewayAsync();
        try
        {
            // Sign in on the first instance; cookies are per host, not per port, so the same cookie
            // jar then goes to the second.
            var cookies = new CookieContainer();
            HttpClient To(string url) => new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
            using var first = To(deployment.GatewayUrl);
            using var other = To(secondUrl);
            var signIn = await first.PostAsync("/auth/sign-in",
                new FormUrlEncodedContent([new("token", deployment.AdminToken), new("returnUrl", "/")]), Ct);
            signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            var page = await (await first.GetAsync("/", Ct)).Content.ReadAsStringAsync(Ct);
            var csrf = CsrfMeta().Match(page);
            csrf.Success.ShouldBeTrue("the first instance's dashboard carries no anti-forgery token for a signed-in admin");

            // The second instance reads the session cookie the first issued ...
            var list = await other.GetAsync("/api/admin/staff", Ct);
            list.StatusCode.ShouldBe(HttpStatusCode.OK, await list.Content.ReadAsStringAsync(Ct));
            (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).EnumerateArray()
                .Select(s => s.GetProperty("name").GetString()).ShouldContain(Deployment.StaffName);

            // ... and accepts a cookie-authenticated write with the first's anti-forgery token.
            var add = new HttpRequestMessage(HttpMethod.Post, "/api/admin/staff")
            {
                Content = JsonContent.Create(new { name = "Scale-out Sophea", role = "editor" }),
            };
            add.Headers.TryAddWithoutValidation("X-CSRF-TOKEN", WebUtility.HtmlDecode(csrf.Groups[1].Value));
            var added = await other.SendAsync(add, Ct);
            added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync(Ct));
        }
        finally
        {
            await second.DisposeAsync(); // before its home folder goes
            home.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"<meta name=""csrf-token"" content=""([^""]+)""")]
    private static partial Regex CsrfMeta();
}
