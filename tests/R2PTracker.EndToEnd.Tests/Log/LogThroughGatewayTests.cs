using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using R2PTracker.TransparencyLog;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests.Log;

/// <summary>The log as the public reaches it, through the gateway, checked with the command-line verifier.</summary>
public class LogThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A pledge's history through the gateway once all its events carry their log index (the gateway's
    /// cached copy is evicted when the log announces its checkpoint).</summary>
    private async Task<JsonElement> LoggedHistoryAsync(string id, int events)
    {
        // Up to 30 s: the log follows the daemon's high-water mark, and another test may kill the instance
        // that runs the daemon (OverdueTests), which then takes a few seconds to move to another.
        using var http = deployment.Gateway();
        var history = default(JsonElement);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            history = await http.GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/history", Ct);
            if (history.GetArrayLength() == events && history.EnumerateArray().All(e => e.GetProperty("logIndex").ValueKind == JsonValueKind.Number))
                return history;
            await Task.Delay(100, Ct);
        }
        var checkpoint = await http.GetStringAsync("/api/log/checkpoint", Ct);
        throw new TimeoutException($"The history of {id} through the gateway did not show log indices within 30 s: {history}\nlatest checkpoint: {checkpoint}");
    }

    private async Task RaceAsync(string id)
    {
        // All but one of these lose the race for version 2; Marten records each lost append as a tombstone.
        var attempts = Enumerable.Range(0, 6).Select(async _ =>
        {
            using var staff = deployment.StaffThroughGateway();
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/status")
            {
                Content = JsonContent.Create(new
                {
                    status = "InTheWorks", reason = "Race", occurredOn = "2023-09-16",
                    evidence = new[] { new { title = "CICP report", url = "https://cicp.org.kh/" } },
                }),
            };
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            return (await staff.SendAsync(request, Ct)).StatusCode;
        });
        (await Task.WhenAll(attempts)).Count(s => s == HttpStatusCode.OK).ShouldBe(1);
    }

    [Fact]
    public async Task An_export_taken_after_a_write_race_verifies_offline_against_its_signed_checkpoint_and_a_changed_line_does_not()
    {
        var id = await deployment.NewPledgeAsync();
        await RaceAsync(id);
        await LoggedHistoryAsync(id, 2);

        var folder = Directory.CreateTempSubdirectory("r2p-export-");
        try
        {
            var export = Path.Combine(folder.FullName, "events.ndjson");
            using (var http = deployment.Gateway())
            {
                var response = await http.GetAsync("/api/export/events.ndjson", Ct);
                response.EnsureSuccessStatusCode();
                await File.WriteAllBytesAsync(export, await response.Content.ReadAsByteArrayAsync(Ct), Ct);
            }
            var lines = await File.ReadAllLinesAsync(export, Ct);
            lines.ShouldNotContain(l => l.Contains("\"mt_tombstone\""));
            var checkpoint = Checkpoint.Parse(SignedNote.Parse(JsonDocument.Parse(lines[^1]).RootElement.GetProperty("checkpoint").GetString()!).Text);

            var (exit, output) = await Verifier.RunAsync("verify-export", export, "--key", TestEnvironment.LogSigner.VerifierKey);
            exit.ShouldBe(0, output);
            output.ShouldContain(checkpoint.TreeSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

            // One event's data changed in the file: its leaf no longer hashes into the signed root.
            var tampered = Path.Combine(folder.FullName, "tampered.ndjson");
            var index = Array.FindIndex(lines, l => l.Contains($"\"streamId\":\"{id}\"") && l.Contains("\"version\":2"));
            index.ShouldBeGreaterThanOrEqualTo(0);
            lines[index] = lines[index].Replace("\"Race\"", "\"No race\"");
            await File.WriteAllLinesAsync(tampered, lines, Ct);
            (exit, output) = await Verifier.RunAsync("verify-export", tampered, "--key", TestEnvironment.LogSigner.VerifierKey);
            exit.ShouldBe(1, output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Inclusion_consistency_and_a_witness_run_against_the_public_address_and_the_witness_is_then_shown()
    {
        var id = await deployment.NewPledgeAsync();
        var history = await LoggedHistoryAsync(id, 1);
        var index = history[0].GetProperty("logIndex").GetInt64();
        var key = TestEnvironment.LogSigner.VerifierKey;
        using var http = deployment.Gateway();
        (await http.GetStringAsync("/api/log/key", Ct)).Trim().ShouldBe(key);
        var earlier = await http.GetStringAsync("/api/log/checkpoint", Ct);

        var (exit, output) = await Verifier.RunAsync("verify-inclusion", deployment.GatewayUrl, "--key", key, "--index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        exit.ShouldBe(0, output);

        await deployment.ChangeStatusAsync(id, "Stalled", "\"1\"");
        await LoggedHistoryAsync(id, 2);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, earlier, Ct);
            (exit, output) = await Verifier.RunAsync("verify-consistency", deployment.GatewayUrl, "--key", key, "--checkpoint", file);
            exit.ShouldBe(0, output);
        }
        finally
        {
            File.Delete(file);
        }

        using var witness = new Witness();
        (exit, output) = await witness.RunAsync(deployment.GatewayUrl);
        exit.ShouldBe(0, output);
        var seen = (await http.GetFromJsonAsync<JsonElement>("/api/log/witnesses", Ct)).EnumerateArray().Single();
        seen.GetProperty("name").GetString().ShouldBe(TestEnvironment.WitnessSigner.Name);
        seen.GetProperty("treeSize").GetInt64().ShouldBeGreaterThan(index);
    }

    [Fact]
    public async Task Bad_log_arguments_through_the_gateway_are_400_problems_and_proofs_are_cacheable()
    {
        using var http = deployment.Gateway();
        var bad = await http.GetAsync("/api/log/proof/inclusion?index=x&treeSize=1", Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await http.GetAsync("/api/log/entries?start=0&end=1&junk=1", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var id = await deployment.NewPledgeAsync();
        var index = (await LoggedHistoryAsync(id, 1))[0].GetProperty("logIndex").GetInt64();
        var proof = await http.GetAsync($"/api/log/proof/inclusion?index={index}&treeSize={index + 1}", Ct);
        proof.StatusCode.ShouldBe(HttpStatusCode.OK);
        proof.Headers.CacheControl!.ToString().ShouldContain("immutable");
        var checkpoint = await http.GetAsync("/api/log/checkpoint", Ct);
        checkpoint.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        checkpoint.Headers.CacheControl!.NoCache.ShouldBeTrue();
    }
}
