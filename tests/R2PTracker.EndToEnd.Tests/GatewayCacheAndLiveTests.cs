using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>The gateway's output cache and live updates, against the real services and RabbitMQ.</summary>
public class GatewayCacheAndLiveTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Assess(string pledgeId, string status, string etag) =>
        new(HttpMethod.Post, $"/api/pledges/{pledgeId}/status")
        {
            Content = JsonContent.Create(new { status, reason = "Checked against the record", evidence = new[] { new { title = "Record" } } }),
            Headers = { { "If-Match", etag } },
        };

    private async Task<(string Status, string ETag, bool FromCache)> ReadAsync(HttpClient client, string pledgeId)
    {
        var response = await client.GetAsync($"/api/pledges/{pledgeId}", Ct);
        response.EnsureSuccessStatusCode();
        var pledge = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (pledge.GetProperty("status").GetString()!, response.Headers.ETag!.Tag, response.Headers.Age is not null);
    }

    /// <summary>
    /// A pledge of the test's own whose registration the gateway has already heard over RabbitMQ,
    /// so that event's eviction cannot arrive in the middle of the test.
    /// </summary>
    private async Task<string> NewSettledPledgeAsync()
    {
        using var sse = new HttpClient { BaseAddress = new Uri(deployment.GatewayUrl), Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await OpenAsync(sse, null);
        var pledgeId = await deployment.NewPledgeAsync();
        await NextEventAsync(stream, pledgeId, 1);
        return pledgeId;
    }

    private static string Other(string status) => status == "Compromise" ? "Broken" : "Compromise";

    [Fact]
    public async Task Public_reads_are_cached_and_a_staff_write_through_the_gateway_refreshes_them_at_once()
    {
        var pledgeId = await NewSettledPledgeAsync();
        var reader = deployment.Gateway();
        var (status, etag, _) = await ReadAsync(reader, pledgeId);
        // The log's checkpoint of this pledge's registration, or another test's bulk import, may evict the
        // entry between two reads (both are announced after the registration): a repeat read is cached
        // within a few tries, and never when nothing is cached.
        var cached = (await ReadAsync(reader, pledgeId)).FromCache;
        for (var i = 0; i < 10 && !cached; i++)
        {
            await ReadAsync(reader, pledgeId);
            cached = (await ReadAsync(reader, pledgeId)).FromCache;
        }
        cached.ShouldBeTrue();

        (await ReadAsync(deployment.StaffThroughGateway(), pledgeId)).FromCache.ShouldBeFalse("staff requests bypass the cache");

        var target = Other(status);
        (await deployment.StaffThroughGateway().SendAsync(Assess(pledgeId, target, etag), Ct)).EnsureSuccessStatusCode();

        var after = await ReadAsync(reader, pledgeId);
        after.Status.ShouldBe(target);
    }

    [Fact]
    public async Task The_dashboard_list_is_cached_by_the_parameters_it_reads_and_refuses_others()
    {
        var reader = deployment.Gateway();
        var page = "/?theme=cache-" + Guid.NewGuid().ToString("N")[..8] + "&status=Kept";
        async Task<bool> FromCacheAsync(string url)
        {
            var response = await reader.GetAsync(url, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
            return response.Headers.Age is not null;
        }

        // A parameter the page does not read is refused, so it can neither miss the cache nor fill it.
        for (var i = 0; i < 2; i++)
        {
            var refused = await reader.GetAsync($"{page}&utm_source=mail", Ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            refused.Headers.Age.ShouldBeNull();
        }

        // The page itself comes from the cache. Any pledge change elsewhere evicts the lists, so a
        // few tries are allowed.
        var hit = false;
        for (var attempt = 0; attempt < 10 && !hit; attempt++)
        {
            await FromCacheAsync(page);
            hit = await FromCacheAsync(page);
        }
        hit.ShouldBeTrue();

        // Every parameter it reads is, a repeated status included.
        (await FromCacheAsync(page + "&status=Broken")).ShouldBeFalse();
        (await FromCacheAsync(page + "&sort=title")).ShouldBeFalse();
        (await FromCacheAsync(page + "&q=focal")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_change_made_behind_the_gateway_evicts_its_cache_through_RabbitMQ()
    {
        var pledgeId = await NewSettledPledgeAsync();
        var reader = deployment.Gateway();
        var (status, etag, _) = await ReadAsync(reader, pledgeId);
        // The log's checkpoint of this pledge's registration, or another test's bulk import, may evict the
        // entry between two reads (both are announced after the registration): a repeat read is cached
        // within a few tries, and never when nothing is cached.
        var cached = (await ReadAsync(reader, pledgeId)).FromCache;
        for (var i = 0; i < 10 && !cached; i++)
        {
            await ReadAsync(reader, pledgeId);
            cached = (await ReadAsync(reader, pledgeId)).FromCache;
        }
        cached.ShouldBeTrue();

        // As another gateway instance would: straight to commitments with the internal JWT.
        using var direct = ServiceProcess.InternalClient(deployment.CommitmentsUrl, deployment.SigningKey, "Other Instance", "editor");
        var target = Other(status);
        (await direct.SendAsync(Assess(pledgeId, target, etag), Ct)).EnsureSuccessStatusCode();

        var fresh = await TestEnvironment.Eventually(async () =>
        {
            var read = await ReadAsync(reader, pledgeId);
            return read.Status == target ? read.Status : null;
        }, TimeSpan.FromSeconds(10), "the gateway to serve the new status");
        fresh.ShouldBe(target);
    }

    [Fact]
    public async Task Live_updates_resume_from_last_event_id_without_losing_a_change()
    {
        using var sse = new HttpClient { BaseAddress = new Uri(deployment.GatewayUrl), Timeout = Timeout.InfiniteTimeSpan };
        var staff = deployment.StaffThroughGateway();
        var pledgeId = await deployment.NewPledgeAsync();

        // First connection: see one change and remember its id.
        string firstId;
        using (var stream = await OpenAsync(sse, null))
        {
            var (_, etag, _) = await ReadAsync(deployment.Gateway(), pledgeId);
            var status = (await ReadAsync(deployment.Gateway(), pledgeId)).Status;
            (await staff.SendAsync(Assess(pledgeId, Other(status), etag), Ct)).EnsureSuccessStatusCode();
            firstId = (await NextEventAsync(stream, pledgeId, VersionAfter(etag))).Id;
        }

        // While disconnected, another change happens.
        var (now, etag2, _) = await ReadAsync(deployment.StaffThroughGateway(), pledgeId);
        (await staff.SendAsync(Assess(pledgeId, Other(now), etag2), Ct)).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);

        using var resumed = await OpenAsync(sse, firstId);
        var missed = await NextEventAsync(resumed, pledgeId, VersionAfter(etag2));
        long.Parse(missed.Id).ShouldBeGreaterThan(long.Parse(firstId));
    }

    private static async Task<StreamReader> OpenAsync(HttpClient client, string? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/live");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        return new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
    }

    private static long VersionAfter(string etag) => long.Parse(etag.Trim('"')) + 1;

    private static async Task<(string Id, JsonElement Data)> NextEventAsync(StreamReader reader, string pledgeId, long version)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        string? id = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonDocument.Parse(line[6..]).RootElement;
                if (data.GetProperty("pledgeId").GetString() == pledgeId && data.GetProperty("version").GetInt64() == version) return (id!, data);
            }
        }
        throw new InvalidOperationException("The event stream ended.");
    }
}
