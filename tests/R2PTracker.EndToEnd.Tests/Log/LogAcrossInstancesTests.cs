using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using R2PTracker.TransparencyLog;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests.Log;

/// <summary>Two commitments instances on one store, one of them killed midway: the log still gives every event one index.</summary>
public class LogAcrossInstancesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>RFC 9162's MTH, written out recursively here so that the check does not rest on the code under test.</summary>
    private static byte[] Mth(IReadOnlyList<byte[]> leaves, int start, int count)
    {
        if (count == 1) return SHA256.HashData([0x00, .. leaves[start]]);
        var k = 1;
        while (k * 2 < count) k *= 2;
        return SHA256.HashData([0x01, .. Mth(leaves, start, k), .. Mth(leaves, start + k, count - k)]);
    }

    [Fact]
    public async Task Writes_through_two_instances_and_a_failover_leave_every_event_once_in_a_dense_log_whose_root_is_signed()
    {
        var tracker = await LoggedTracker.StartAsync();
        await using var _ = tracker;
        var (other, otherUrl) = await tracker.AnotherInstanceAsync();
        await using (other)
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => tracker.PledgeAsync(i % 2 == 0 ? tracker.Url : otherUrl, 1, Ct)));
            await tracker.CheckpointOfSizeAsync(40, Ct);

            // The first instance dies (it may hold the daemon, and so the log); the other carries on.
            await tracker.KillAsync();
            await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => tracker.PledgeAsync(otherUrl, 1, Ct)));

            using var http = new HttpClient { BaseAddress = new Uri(otherUrl) };
            Checkpoint? checkpoint = null;
            for (var attempt = 0; attempt < 600 && checkpoint?.TreeSize != 50; attempt++)
            {
                var response = await http.GetAsync("/api/log/checkpoint", Ct);
                if (response.IsSuccessStatusCode) checkpoint = Checkpoint.Parse(SignedNote.Parse(await response.Content.ReadAsStringAsync(Ct)).Text);
                if (checkpoint?.TreeSize != 50) await Task.Delay(100, Ct);
            }
            checkpoint!.TreeSize.ShouldBe(50);

            var entries = (await http.GetFromJsonAsync<JsonElement>("/api/log/entries?start=0&end=50", Ct)).EnumerateArray().ToList();
            entries.Select(e => e.GetProperty("index").GetInt64()).ShouldBe(Enumerable.Range(0, 50).Select(i => (long)i));
            var logged = entries.Select(e => e.GetProperty("eventId").GetGuid()).ToList();
            logged.Distinct().Count().ShouldBe(50);
            (await tracker.ScalarAsync("select count(*) from commitments.mt_events where stream_id <> 'mt_tombstone' and not (id = any($1))", logged.ToArray()))
                .ShouldBe(0);
            var leaves = entries.Select(e => Convert.FromBase64String(e.GetProperty("leaf").GetString()!)).ToList();
            Mth(leaves, 0, leaves.Count).ShouldBe(checkpoint.RootHash);
        }
    }
}
