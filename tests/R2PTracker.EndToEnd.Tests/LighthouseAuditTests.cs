using System.Diagnostics;
using System.Text.Json;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>
/// Lighthouse (run by tests/run.sh's copy, with Debian's chromium) audits the list and a pledge page, in
/// English and in Khmer, through the gateway: accessibility, best practices and SEO must each score at
/// least 95. (Its performance score is a timing, so it is measured by the bench, not asserted here.)
/// </summary>
public class LighthouseAuditTests(Deployment deployment)
{
    private static readonly string[] Categories = ["accessibility", "best-practices", "seo"];

    [Theory]
    [InlineData("/")]
    [InlineData("/?lang=km")]
    [InlineData("/pledges/kh-r2p-1")]
    [InlineData("/pledges/kh-r2p-1?lang=km")]
    public async Task The_list_and_a_pledge_page_score_at_least_95_in_each_audited_category(string path)
    {
        var report = Path.Combine(Path.GetTempPath(), $"r2p-lighthouse-{Guid.NewGuid():N}.json");
        try
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("R2P_TEST_LIGHTHOUSE")
                                             ?? throw new InvalidOperationException("R2P_TEST_LIGHTHOUSE is not set: run 'bash tests/run.sh'."))
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var argument in new[]
                     {
                         deployment.GatewayUrl + path, "--quiet", "--output=json", $"--output-path={report}",
                         $"--only-categories={string.Join(',', Categories)}",
                         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
                     })
                start.ArgumentList.Add(argument);
            start.Environment["CHROME_PATH"] = Environment.GetEnvironmentVariable("R2P_CHROMIUM") ?? "/usr/bin/chromium";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
            process.ExitCode.ShouldBe(0, await stderr);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken));
            var root = json.RootElement;
            root.TryGetProperty("runtimeError", out var error).ShouldBeFalse(error.ToString());
            foreach (var category in Categories)
            {
                var score = root.GetProperty("categories").GetProperty(category).GetProperty("score").GetDouble();
                var failing = root.GetProperty("audits").EnumerateObject()
                    .Where(a => a.Value.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number && s.GetDouble() < 1
                                && a.Value.GetProperty("scoreDisplayMode").GetString() == "binary")
                    .Select(a => a.Name);
                score.ShouldBeGreaterThanOrEqualTo(0.95, $"{path} {category}: {string.Join(", ", failing)}");
            }
        }
        finally
        {
            File.Delete(report);
        }
    }
}
