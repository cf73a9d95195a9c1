using System.Net;
using System.Text.RegularExpressions;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>The pledge page's timeline shows where each entry is in the transparency log, with a link to its proof.</summary>
public partial class PledgePageLogTests(GatewayApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayVariant _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayVariant.StartAsync(app);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private const string Pledge = "kh-r2p-log";

    private static string Note(long treeSize) =>
        $"r2p.example/log\n{treeSize}\nq83vEjOlkD6W8Ph4PtQdQkiBE0/aNb5A2fn+MI1CPS0=\n\n— r2p.example/log 1a2b3c4dSGVsbG8gd29ybGQ=\n";

    private void Checkpoint(long treeSize) =>
        _gateway.Backend.Answers[$"/api/log/checkpoint"] = new BackendAnswer(200, Note(treeSize), "text/plain; charset=utf-8");

    private void Timeline(params long?[] logIndexes) =>
        _gateway.Backend.Answers[$"/api/pledges/{Pledge}/timeline"] = new BackendAnswer(200, "[" + string.Join(",", logIndexes.Select((index, i) =>
            $$"""{"version":{{i + 1}},"type":"{{(i == 0 ? "PledgeRegistered" : "MilestoneLogged")}}","title":"Entry {{i + 1}}","occurredOn":"2020-01-0{{i + 1}}","recordedAt":"2026-12-01T10:00:00Z","recordedBy":"editor","retracted":false,"logIndex":{{(index is null ? "null" : index.ToString())}}}""")) + "]");

    private async Task<(HttpResponseMessage Response, string Html)> PageAsync()
    {
        var response = await _gateway.Client().GetAsync($"/pledges/{Pledge}", Ct);
        return (response, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)));
    }

    /// <summary>Each timeline entry's log line, in the order of the timeline.</summary>
    private static string[] LogLines(string html) => LogLine().Matches(html).Select(m => Regex.Replace(m.Groups[1].Value, @"\s+", " ").Trim()).ToArray();

    [Fact]
    public async Task Each_entry_shows_its_log_index_linked_to_its_inclusion_proof_against_the_latest_tree()
    {
        Checkpoint(treeSize: 1235);
        Timeline(17, 1234);

        var (response, html) = await PageAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var lines = LogLines(html);
        lines.Length.ShouldBe(2);
        lines[0].ShouldContain("""href="/api/log/proof/inclusion?index=17&treeSize=1235" """.TrimEnd());
        lines[0].ShouldContain(">Log entry #17</a>");
        lines[1].ShouldContain("""href="/api/log/proof/inclusion?index=1234&treeSize=1235" """.TrimEnd());
        lines[1].ShouldContain(">Log entry #1234</a>");
        _gateway.Backend.Count("/api/log/checkpoint").ShouldBe(1, "the checkpoint is read once for the page, not once per entry");
    }

    [Fact]
    public async Task An_entry_without_a_log_index_or_beyond_the_signed_tree_shows_not_yet_in_the_log_and_no_link()
    {
        Checkpoint(treeSize: 40);
        Timeline(39, null, 40);

        var (_, html) = await PageAsync();

        var lines = LogLines(html);
        lines[0].ShouldContain("index=39&treeSize=40");
        // No index yet, and an index the latest checkpoint does not reach: neither has a proof to link to.
        foreach (var line in lines[1..])
        {
            line.ShouldContain("not yet in the log");
            line.ShouldNotContain("<a");
        }
    }

    [Theory]
    [InlineData(500, "application/problem+json", """{"status":500}""")]
    [InlineData(503, "application/problem+json", """{"status":503}""")]
    [InlineData(404, "application/problem+json", """{"status":404,"title":"The log is empty."}""")]
    [InlineData(200, "text/plain", "not a signed note")]
    public async Task The_page_renders_without_proof_links_when_the_checkpoint_cannot_be_read(int status, string contentType, string body)
    {
        Timeline(0, 1);
        _gateway.Backend.Answers["/api/log/checkpoint"] = new BackendAnswer(status, body, contentType);

        var (response, html) = await PageAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("Entry 2");
        LogLines(html).ShouldAllBe(line => line.Contains("not yet in the log") && !line.Contains("<a"));
    }

    [Fact]
    public async Task A_page_with_an_entry_not_yet_in_the_log_is_not_cached_so_a_reload_shows_its_index()
    {
        Checkpoint(treeSize: 2);
        Timeline(0, null);
        LogLines((await PageAsync()).Html)[1].ShouldContain("not yet in the log");

        // A moment later the log has taken the event and signed a tree with it; no pledge change evicts the page.
        Checkpoint(treeSize: 2);
        Timeline(0, 1);
        var (again, html) = await PageAsync();
        again.Headers.Age.ShouldBeNull("the page that showed the log catching up was not stored");
        LogLines(html)[1].ShouldContain("index=1&treeSize=2");

        // Once every entry is in the signed tree the page is cached as before.
        (await PageAsync()).Response.Headers.Age.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_page_is_not_cached_while_the_checkpoint_is_unavailable()
    {
        Timeline(0);
        _gateway.Backend.Answers["/api/log/checkpoint"] = new BackendAnswer(503, """{"status":503}""");
        LogLines((await PageAsync()).Html)[0].ShouldContain("not yet in the log");

        Checkpoint(treeSize: 1);
        var (again, html) = await PageAsync();
        again.Headers.Age.ShouldBeNull();
        LogLines(html)[0].ShouldContain("index=0&treeSize=1");
    }

    [GeneratedRegex("""<div class="meta log-entry">(.*?)</div>""", RegexOptions.Singleline)]
    private static partial Regex LogLine();
}
