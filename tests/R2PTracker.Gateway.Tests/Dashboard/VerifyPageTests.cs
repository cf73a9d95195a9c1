using System.Net;
using System.Text.RegularExpressions;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>The page that tells a monitor how to check the record: the log's key, its checkpoint, its witnesses and the commands.</summary>
public partial class VerifyPageTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private const string Root = "q83vEjOlkD6W8Ph4PtQdQkiBE0/aNb5A2fn+MI1CPS0=";

    private const string Note = "r2p.example/log\n1234\n" + Root + "\n\n— r2p.example/log 1a2b3c4dSGVsbG8gd29ybGQ=\n— witness.one 9f8e7d6cV2l0bmVzcyBzaWc=\n";

    private void Checkpoint(string note = Note) =>
        _gateway.Backend.Answers["/api/log/checkpoint"] = new BackendAnswer(200, note, "text/plain; charset=utf-8");

    private void Witnesses() => _gateway.Backend.Answers["/api/log/witnesses"] = new BackendAnswer(200, """
        [
          {"name":"witness.one","key":"witness.one+9f8e7d6c+AQID","treeSize":1234,"cosignedAt":"2026-12-03T08:40:00Z","seenCurrent":true},
          {"name":"witness.two","key":"witness.two+01020304+BAUG","treeSize":1100,"cosignedAt":"2026-11-30T12:05:00+00:00","seenCurrent":false},
          {"name":"witness.three","key":"witness.three+0a0b0c0d+BwgJ","treeSize":null,"cosignedAt":null,"seenCurrent":false}
        ]
        """);

    private async Task<(HttpResponseMessage Response, string Html)> PageAsync(string baseAddress = "http://localhost")
    {
        var response = await _gateway.Client(baseAddress: baseAddress).GetAsync("/verify", Ct);
        return (response, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)));
    }

    private static string Text(string html) => Regex.Replace(Regex.Replace(html, "<[^>]+>", " "), @"\s+", " ");

    private static string WitnessRow(string html, string name) =>
        Text(Regex.Match(html, $"""<tr data-witness="{Regex.Escape(name)}"[^>]*>(.*?)</tr>""", RegexOptions.Singleline).Groups[1].Value);

    [Fact]
    public async Task The_page_shows_the_log_key_and_the_latest_checkpoint_with_its_size_root_and_signed_note()
    {
        Checkpoint();
        Witnesses();

        var (response, html) = await PageAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("<title>How to verify this record · R2P Tracker</title>");
        html.ShouldContain($"""<code id="log-key-value">{RecordingBackend.LogKey}</code>""");
        html.ShouldContain("""<span id="tree-size">1234</span>""");
        html.ShouldContain($"""<code id="root-hash">{Root}</code>""");
        html.ShouldContain($"""<pre id="checkpoint-note">{Note}</pre>""");
        Text(html).ShouldContain("nobody — not even the operator of this tracker — can quietly rewrite");
    }

    [Fact]
    public async Task Each_witness_shows_whether_it_has_seen_the_current_tree_the_older_tree_it_last_saw_or_that_it_never_cosigned()
    {
        Checkpoint();
        Witnesses();

        var (_, html) = await PageAsync();

        WitnessRow(html, "witness.one").ShouldContain("has seen the current tree");
        WitnessRow(html, "witness.two").ShouldContain("last saw tree 1100 on 30 November 2026, 12:05 UTC");
        WitnessRow(html, "witness.three").ShouldContain("has not cosigned yet");
        WitnessRow(html, "witness.three").ShouldContain("witness.three+0a0b0c0d+BwgJ");
    }

    [Fact]
    public async Task The_commands_are_written_with_the_address_the_visitor_reached_the_tracker_at()
    {
        Checkpoint();

        var (_, html) = await PageAsync("https://tracker.example.org");

        const string site = "https://tracker.example.org";
        var key = RecordingBackend.LogKey;
        html.ShouldContain($"curl -fsS -o events.ndjson {site}/api/export/events.ndjson");
        html.ShouldContain($"r2p-verify verify-export events.ndjson --key {key}");
        html.ShouldContain($"r2p-verify verify-inclusion {site} --key {key} --index 1233");
        html.ShouldContain($"curl -fsS -o checkpoint.txt {site}/api/log/checkpoint");
        html.ShouldContain($"r2p-verify verify-consistency {site} --key {key} --checkpoint checkpoint.txt");
        html.ShouldContain("r2p-verify keygen my-witness --out witness.key --witness");
        html.ShouldContain("Log:WitnessKeys");
        html.ShouldContain($"r2p-verify witness {site} --state ./witness-state --key {key} --witness-key witness.key");
        html.ShouldNotContain("localhost");
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_commands_use_the_scheme_the_proxy_forwards()
    {
        await using var behindProxy = await GatewayVariant.StartAsync(app, new Dictionary<string, string> { ["ForwardedHeaders:KnownProxies"] = "192.0.2.1" });
        var request = new HttpRequestMessage(HttpMethod.Get, "/verify");
        request.Headers.Add("X-Forwarded-Proto", "https");

        var response = await behindProxy.Client(baseAddress: "http://tracker.example.org").SendAsync(request, Ct);

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
        html.ShouldContain("curl -fsS -o events.ndjson https://tracker.example.org/api/export/events.ndjson");
        html.ShouldNotContain("http://tracker.example.org");
    }

    [Fact]
    public async Task The_page_renders_with_the_commands_when_every_log_endpoint_fails()
    {
        foreach (var path in new[] { "/api/log/checkpoint", "/api/log/key", "/api/log/witnesses" })
            _gateway.Backend.Answers[path] = new BackendAnswer(500, """{"status":500}""", "application/problem+json");

        var (response, html) = await PageAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("The log's key is unavailable right now");
        html.ShouldContain("The checkpoint is unavailable right now");
        html.ShouldContain("The witnesses' cosignatures are unavailable right now");
        html.ShouldContain("r2p-verify verify-export events.ndjson --key KEY");
        (await PageAsync()).Response.Headers.Age.ShouldBeNull("a page missing what the log could not give is not stored");
    }

    [Fact]
    public async Task An_empty_log_is_said_to_be_empty_rather_than_unavailable()
    {
        var (response, html) = await PageAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("The log is empty");
        html.ShouldNotContain("unavailable right now");
        html.ShouldContain("No witness is configured yet");
    }

    [Fact]
    public async Task The_page_is_cached_for_seconds_not_until_the_next_pledge_change_as_the_checkpoint_moves_on_without_one()
    {
        Checkpoint();
        (await PageAsync()).Html.ShouldContain("""<span id="tree-size">1234</span>""");
        (await PageAsync()).Response.Headers.Age.ShouldNotBeNull("it is one of the cached public pages");

        Checkpoint(Note.Replace("\n1234\n", "\n1240\n"));
        await Task.Delay(TimeSpan.FromSeconds(11), Ct);
        (await PageAsync()).Html.ShouldContain("""<span id="tree-size">1240</span>""");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/pledges/kh-r2p-1")]
    [InlineData("/sign-in")]
    [InlineData("/verify")]
    public async Task Every_page_links_to_the_verify_page_from_its_navigation(string path)
    {
        var html = await (await _gateway.Client().GetAsync(path, Ct)).Content.ReadAsStringAsync(Ct);
        Regex.Match(html, """<nav aria-label="Site">(.*?)</nav>""", RegexOptions.Singleline).Groups[1].Value
            .ShouldContain("""<a href="/verify" """.TrimEnd());
    }
}
