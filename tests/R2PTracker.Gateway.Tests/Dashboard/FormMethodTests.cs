using System.Net;
using System.Text.RegularExpressions;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>
/// Every dashboard form says how it is sent. A form without a method is sent as a GET when the
/// script does not take it over, which puts what was typed into the URL, and so into logs, caches
/// and the browser's history; only search forms are GETs.
/// </summary>
public partial class FormMethodTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private static readonly string[] Pages = ["/", "/pledges/kh-r2p-forms", "/verify", "/sign-in"];

    private async Task<List<string>> FormsAsync(HttpClient client)
    {
        var forms = new List<string>();
        foreach (var page in Pages)
        {
            var response = await client.GetAsync(page, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, page);
            var html = await response.Content.ReadAsStringAsync(Ct);
            forms.AddRange(Form().Matches(html).Select(m => $"{page}: {m.Value}"));
        }
        return forms;
    }

    private async Task<HttpClient> StaffClientAsync()
    {
        var token = await app.Staff.AddAsync("Form Fenna", "editor", "tests", Ct);
        var client = _gateway.Client("192.0.2.60");
        (await client.PostAsync("/auth/sign-in", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/")]), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    [Fact]
    public async Task Every_form_on_every_page_has_a_method_and_only_search_forms_are_GET()
    {
        var forms = await FormsAsync(_gateway.Client("192.0.2.61"));
        forms.AddRange(await FormsAsync(await StaffClientAsync()));

        forms.Count(f => f.Contains("id=\"status-form\"")).ShouldBe(1, "the staff forms are among those checked");
        forms.Count(f => f.Contains("id=\"subscribe-form\"")).ShouldBe(2, "the subscribe form is among those checked");
        foreach (var form in forms)
        {
            var method = Method().Match(form);
            method.Success.ShouldBeTrue($"A form has no method: {Opening(form)}");
            var verb = method.Groups[1].Value.ToLowerInvariant();
            verb.ShouldBeOneOf("get", "post");
            if (verb == "get")
            {
                Opening(form).ShouldContain("role=\"search\"", customMessage: "only search forms are GET");
                Sensitive().IsMatch(form).ShouldBeFalse($"A GET form carries a secret or an address: {Opening(form)}");
            }
        }
    }

    private static string Opening(string form) => form[..(form.IndexOf('>') + 1)];

    [GeneratedRegex(@"<form\b.*?</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Form();

    [GeneratedRegex(@"^[^>]*<form\b[^>]*\bmethod=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex Method();

    /// <summary>A field for a password, a token or an e-mail address, by its type, its name or its label.</summary>
    [GeneratedRegex(@"password|token|csrf|secret|e-?mail", RegexOptions.IgnoreCase)]
    private static partial Regex Sensitive();
}
