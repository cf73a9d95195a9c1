using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.FaultTests;

/// <summary>
/// The issue's four fault tests, on real servers, with the services as processes driven over HTTP
/// through the gateway: no alert is lost when RabbitMQ, notifications or a receiver is down.
/// One class, so its tests run one at a time (they stop the broker and kill a service).
/// </summary>
public class FaultTests(FaultDeployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Guid Id, string ManageToken)> SubscribeAsync(string url, string pledgeId, HttpClient? client = null)
    {
        var response = await (client ?? deployment.Gateway()).PostAsJsonAsync("/api/subscriptions",
            new { kind = "webhook", url, filter = new { pledgeIds = new[] { pledgeId }, eventTypes = new[] { "pledge.status_changed" } } }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created,
            await response.Content.ReadAsStringAsync(Ct) + "\n" + deployment.ServiceOutput[^Math.Min(6000, deployment.ServiceOutput.Length)..]);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("manageToken").GetString()!);
    }

    private async Task<string> ETagOf(string pledgeId)
    {
        var response = await deployment.Gateway().GetAsync($"/api/pledges/{pledgeId}", Ct);
        response.EnsureSuccessStatusCode();
        return response.Headers.ETag!.Tag;
    }

    /// <summary>Writes a status change as staff through the gateway (or <paramref name="client"/>); returns the new ETag.</summary>
    private async Task<string> ChangeStatusAsync(string pledgeId, string status, string etag, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{pledgeId}/status")
        {
            Content = JsonContent.Create(new
            {
                status, reason = $"Fault test: now {status}", occurredOn = "2023-09-16",
                evidence = new[] { new { title = "CICP, Spotlight on R2P", url = "https://cicp.org.kh/" } },
            }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var response = await (client ?? deployment.StaffThroughGateway()).SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return response.Headers.ETag!.Tag;
    }

    private static string EventIdOf(ReceivedWebhook hook) => JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("eventId").GetString()!;

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        await TestEnvironment.Eventually(() => Task.FromResult(condition() ? "done" : null), timeout, what + "\n" + deployment.ServiceOutput[^Math.Min(4000, deployment.ServiceOutput.Length)..]);
    }

    [Fact]
    public async Task Fault_1_status_changes_written_while_RabbitMQ_is_down_all_reach_the_webhook_once_it_is_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SubscribeAsync(receiver.BaseUrl + "/rabbit-down", "kh-r2p-2");
        var etag = await ETagOf("kh-r2p-2");

        await deployment.StopRabbitAsync();
        try
        {
            for (var i = 0; i < 100; i++) etag = await ChangeStatusAsync("kh-r2p-2", i % 2 == 0 ? "InTheWorks" : "Stalled", etag);
            // Not fully ready without the broker, yet still serving: a load balancer keeps sending it traffic.
            using var gateway = deployment.Gateway();
            await TestEnvironment.Eventually(async () =>
                (await gateway.GetAsync("/health/ready", Ct)).StatusCode == HttpStatusCode.ServiceUnavailable ? "503" : null,
                TimeSpan.FromSeconds(30), "the gateway's /health/ready to report the broker down");
            (await gateway.GetAsync("/health/serving", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            await deployment.StartRabbitAsync();
        }

        await WaitUntilAsync(() => receiver.Received.Select(EventIdOf).Distinct().Count() >= 100, TimeSpan.FromSeconds(120), "100 distinct webhooks");
        var hooks = receiver.Received.ToList();
        hooks.Select(EventIdOf).Distinct().Count().ShouldBe(100);
        // At least once, de-duplicable: any copy of one event carries the same webhook-id.
        hooks.GroupBy(EventIdOf).ShouldAllBe(g => g.Select(h => h.WebhookId).Distinct().Count() == 1);
        hooks.Select(h => h.WebhookId).Distinct().Count().ShouldBe(100);
        var versions = hooks.Select(h => JsonDocument.Parse(h.Body).RootElement.GetProperty("data").GetProperty("version").GetInt64()).Distinct().Count();
        versions.ShouldBe(100);
    }

    [Fact]
    public async Task Fault_1b_two_commitments_instances_forward_each_change_once_and_the_survivor_forwards_when_the_other_is_killed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SubscribeAsync(receiver.BaseUrl + "/two-commitments", "kh-r2p-6");
        var (second, secondUrl) = await deployment.SecondCommitmentsAsync();
        try
        {
            // Straight to the second instance, with the internal token the gateway would mint.
            using var direct = ServiceProcess.InternalClient(secondUrl, deployment.SigningKey, "Fault Tester", "editor");

            // Both run (the first holds the daemon: it started long before): a change written to the
            // second is forwarded once, through the first, and one written through the gateway too.
            // (Another fault test writes to this pledge too: each change is away from the status it has.)
            var now = (await deployment.Gateway().GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-6", Ct)).GetProperty("status").GetString();
            var one = now == "InTheWorks" ? "Stalled" : "InTheWorks";
            var other = one == "InTheWorks" ? "Stalled" : "InTheWorks";
            var etag = await ChangeStatusAsync("kh-r2p-6", one, await ETagOf("kh-r2p-6"), direct);
            etag = await ChangeStatusAsync("kh-r2p-6", other, etag);
            await WaitUntilAsync(() => receiver.Received.Select(EventIdOf).Distinct().Count() >= 2, TimeSpan.FromSeconds(60), "2 webhooks");

            // The first dies; the second takes the daemon over and forwards what is written to it.
            await deployment.KillCommitmentsAsync();
            await ChangeStatusAsync("kh-r2p-6", one, etag, direct);
            await WaitUntilAsync(() => receiver.Received.Select(EventIdOf).Distinct().Count() >= 3, TimeSpan.FromSeconds(90),
                "the third webhook, forwarded by the second instance\n" + second.Output[^Math.Min(3000, second.Output.Length)..]);
            await Task.Delay(TimeSpan.FromSeconds(2), Ct); // room for a duplicate to show
            receiver.Received.Count.ShouldBe(3);
            receiver.Received.Select(EventIdOf).Distinct().Count().ShouldBe(3);
        }
        finally
        {
            await second.DisposeAsync();
            await deployment.RestartCommitmentsAsync();
        }
    }

    [Fact]
    public async Task Fault_2_notifications_killed_in_the_middle_of_a_fan_out_to_500_subscribers_still_alerts_every_one_after_a_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(40);
        using var gateway = deployment.Gateway();
        await Parallel.ForEachAsync(Enumerable.Range(0, 500), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (i, _) => await SubscribeAsync($"{receiver.BaseUrl}/fan-out/{i}", "kh-r2p-3", gateway));

        await ChangeStatusAsync("kh-r2p-3", "InTheWorks", await ETagOf("kh-r2p-3"));
        await WaitUntilAsync(() => receiver.Received.Count >= 60, TimeSpan.FromSeconds(60), "the fan-out to start");
        await deployment.KillNotificationsAsync();
        var beforeRestart = receiver.Received.Select(h => h.Path).Distinct().Count();
        beforeRestart.ShouldBeLessThan(500, "the kill came after the fan-out had finished; the test proves nothing");

        await deployment.RestartNotificationsAsync();

        await WaitUntilAsync(() => receiver.Received.Select(h => h.Path).Distinct().Count() >= 500, TimeSpan.FromSeconds(90), "all 500 subscribers");
        var hooks = receiver.Received.ToList();
        Enumerable.Range(0, 500).Select(i => $"/fan-out/{i}").Except(hooks.Select(h => h.Path)).ShouldBeEmpty();
        hooks.Select(h => h.WebhookId).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Fault_2b_two_notifications_instances_alert_each_subscriber_once_and_one_finishes_a_fan_out_the_other_was_killed_in()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var gateway = deployment.Gateway();
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (i, _) => await SubscribeAsync($"{receiver.BaseUrl}/scaled/{i}", "kh-r2p-5", gateway));
        var second = await deployment.SecondNotificationsAsync();
        try
        {
            // Both instances consume the same queues and share one delivery store: three changes reach
            // each of the 300 subscribers exactly once.
            var etag = await ETagOf("kh-r2p-5");
            foreach (var status in new[] { "InTheWorks", "Stalled", "InTheWorks" }) etag = await ChangeStatusAsync("kh-r2p-5", status, etag);
            await WaitUntilAsync(() => receiver.Received.Count >= 900, TimeSpan.FromSeconds(90), "900 webhooks");
            await Task.Delay(TimeSpan.FromSeconds(2), Ct); // room for a duplicate to show
            var hooks = receiver.Received.ToList();
            hooks.Count.ShouldBe(900);
            hooks.Select(h => (h.Path, EventIdOf(h))).Distinct().Count().ShouldBe(900);
            hooks.Select(EventIdOf).Distinct().Count().ShouldBe(3);

            // The first instance (the one that has been dispatching: it took the dispatch lock long
            // before the second started) dies in the middle of the next fan-out; the second finishes it.
            receiver.Received.Clear();
            receiver.Delay = TimeSpan.FromMilliseconds(60);
            await ChangeStatusAsync("kh-r2p-5", "Stalled", etag);
            await WaitUntilAsync(() => receiver.Received.Count >= 30, TimeSpan.FromSeconds(60), "the fan-out to start");
            await deployment.KillNotificationsAsync();
            receiver.Received.Select(h => h.Path).Distinct().Count().ShouldBeLessThan(300, "the kill came after the fan-out had finished; the test proves nothing");

            await WaitUntilAsync(() => receiver.Received.Select(h => h.Path).Distinct().Count() >= 300, TimeSpan.FromSeconds(90), "all 300 subscribers, from the second instance");
            receiver.Received.Select(EventIdOf).Distinct().Count().ShouldBe(1);
            second.HasExited.ShouldBeFalse();
        }
        finally
        {
            await second.DisposeAsync();
            await deployment.RestartNotificationsAsync();
        }
    }

    [Fact]
    public async Task Fault_3_a_receiver_answering_500_to_the_first_three_attempts_gets_the_webhook_later_and_the_log_shows_each_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst(3);
        var (id, manageToken) = await SubscribeAsync(receiver.BaseUrl + "/flaky", "kh-r2p-4");

        await ChangeStatusAsync("kh-r2p-4", "Stalled", await ETagOf("kh-r2p-4"));

        await WaitUntilAsync(() => !receiver.Received.IsEmpty, TimeSpan.FromSeconds(60), "the webhook");
        receiver.Attempts.ShouldBe(4);
        var manage = deployment.Gateway();
        manage.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", manageToken);
        var attempts = await TestEnvironment.Eventually(async () =>
        {
            var log = await manage.GetFromJsonAsync<JsonElement>($"/api/subscriptions/{id}/deliveries", Ct);
            return log.GetArrayLength() == 1 && log[0].GetProperty("status").GetString() == "delivered"
                ? log[0].GetProperty("attempts").EnumerateArray().ToList() : null;
        }, TimeSpan.FromSeconds(10), "the delivery log through the gateway");
        attempts.Select(a => a.GetProperty("statusCode").GetInt32()).ShouldBe([500, 500, 500, 200]);
        attempts.ShouldAllBe(a => a.GetProperty("durationMs").GetInt64() >= 0 && a.GetProperty("at").ValueKind == JsonValueKind.String);
    }

    [Theory]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://localhost/")]
    [InlineData("file:///etc/passwd")]
    public async Task Fault_4_ssrf_targets_are_refused_with_400_problem_details_by_a_default_configuration(string url)
    {
        var (process, baseUrl) = await deployment.DefaultNotificationsAsync();
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };

        var response = await client.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, process.Output);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").GetProperty("url")[0].GetString().ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", false)]
    [InlineData("http://10.0.0.1/", false)]
    [InlineData("http://[::1]:{port}/hook", true)]
    public async Task Fault_4_where_loopback_is_configured_only_loopback_is_let_through_the_gateway(string url, bool allowed)
    {
        // A loopback URL is let through to the verification, which a receiver on [::1] answers.
        await using var receiver = await WebhookReceiver.StartAsync("[::1]");
        url = url.Replace("{port}", new Uri(receiver.BaseUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await deployment.Gateway().PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url }, Ct);
        response.StatusCode.ShouldBe(allowed ? HttpStatusCode.Created : HttpStatusCode.BadRequest);
        receiver.Verifications.Count.ShouldBe(allowed ? 1 : 0);
    }

    [Fact]
    public async Task Fault_5_a_PostgreSQL_restart_during_staff_writes_answers_each_write_ok_or_503_writes_nothing_half_and_every_ok_reaches_the_webhook()
    {
        // (A pledge without a past target date: on one that has, the overdue monitor appends an event
        // of its own once the pledge is no longer Kept, and a write with the ETag read before it is a 412.)
        await using var receiver = await WebhookReceiver.StartAsync();
        await SubscribeAsync(receiver.BaseUrl + "/pg-restart", "kh-r2p-1");
        using var staff = deployment.StaffThroughGateway();
        using var reader = deployment.Gateway();
        // (Read from commitments itself: the gateway's cache hears of a write that a 503 hid a moment later.)
        using var direct = new HttpClient { BaseAddress = new Uri(deployment.CommitmentsUrl) };

        // The ETag and status, read again after an outage (a 503 write may or may not have committed).
        async Task<(string ETag, string Status)> CurrentAsync() => await TestEnvironment.Eventually(async () =>
        {
            var response = await direct.GetAsync("/api/pledges/kh-r2p-1", Ct);
            if (!response.IsSuccessStatusCode) return null;
            var pledge = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return Tuple.Create(response.Headers.ETag!.Tag, pledge.GetProperty("status").GetString()!);
        }, TimeSpan.FromSeconds(60), "the pledge readable again") is var (tag, state) ? (tag, state) : default;

        var (etag, current) = await CurrentAsync();
        var okVersions = new List<long>();
        var unavailable = 0;
        Task? restart = null;
        for (var i = 0; i < 80; i++)
        {
            if (i == 10)
                restart = Task.Run(async () =>
                {
                    await deployment.StopPostgresAsync();
                    await Task.Delay(TimeSpan.FromSeconds(3), Ct);
                    await deployment.StartPostgresAsync();
                }, Ct);
            var response = await staff.SendAsync(Toggle("kh-r2p-1", current, $"Fault 5: write {i}", etag), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                etag = response.Headers.ETag!.Tag;
                current = current == "Stalled" ? "InTheWorks" : "Stalled";
                okVersions.Add(long.Parse(etag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                // The only other answer: a 503 problem saying to try again, never a 500.
                response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body + "\n" + deployment.ServiceOutput[^Math.Min(8000, deployment.ServiceOutput.Length)..]);
                response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
                response.Headers.RetryAfter.ShouldNotBeNull();
                unavailable++;
                await Task.Delay(200, Ct);
                (etag, current) = await CurrentAsync();
            }
            if (i >= 10 && restart is { IsCompleted: false }) await Task.Delay(100, Ct);
        }
        await restart!;
        unavailable.ShouldBeGreaterThan(0, "the restart should have been seen by some write");
        okVersions.Count.ShouldBeGreaterThan(40);

        // Nothing half-written: the stream runs 1..n with every acknowledged write in it, each whole.
        // (Read through the gateway, whose cache hears of the last writes a moment later.)
        var versions = await TestEnvironment.Eventually(async () =>
        {
            var entries = (await reader.GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-1/timeline", Ct)).EnumerateArray();
            var all = entries.Select(e => e.GetProperty("version").GetInt64()).Order().ToList();
            return okVersions.All(all.Contains) ? all : null;
        }, TimeSpan.FromSeconds(30), "every acknowledged write in the timeline");
        versions.ShouldBe(Enumerable.Range(1, versions.Count).Select(v => (long)v).ToList());
        (await reader.GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-1/verify", Ct)).GetProperty("valid").GetBoolean().ShouldBeTrue();

        // The services recovered by themselves: every acknowledged write reaches the webhook.
        long VersionOf(ReceivedWebhook hook) => JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("version").GetInt64();
        await WaitUntilAsync(() => okVersions.All(v => receiver.Received.Any(h => VersionOf(h) == v)), TimeSpan.FromSeconds(120),
            "a webhook for every acknowledged write");
        receiver.Received.GroupBy(EventIdOf).ShouldAllBe(g => g.Select(h => h.WebhookId).Distinct().Count() == 1);
    }

    [Fact]
    public async Task Fault_6_a_thousand_writes_through_a_RabbitMQ_restart_a_notifications_kill_and_a_receiver_down_for_two_minutes_are_all_delivered()
    {
        // (A seed pledge no other fault test but Fault 5 writes to, and without a past target date.)
        // Retries that outlast a receiver down for two minutes (the usual fault schedule gives up in seconds).
        var patient = new Dictionary<string, string>
        {
            ["Delivery__RetryDelays"] = "00:00:01,00:00:05,00:00:15,00:00:30,00:01:00,00:01:00,00:01:00,00:01:00",
            ["Delivery__Jitter"] = "0",
        };
        await deployment.RestartNotificationsWithAsync(patient);
        var rabbitDown = false;
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            await SubscribeAsync(receiver.BaseUrl + "/thousand", "kh-r2p-1");
            using var staff = deployment.StaffThroughGateway();
            var etag = await ETagOf("kh-r2p-1");
            var status = (await deployment.Gateway().GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-1", Ct)).GetProperty("status").GetString();
            var versions = new List<long>();
            var downSince = DateTimeOffset.MinValue;
            for (var i = 0; i < 1000; i++)
            {
                switch (i)
                {
                    case 100:
                        receiver.Down = true;
                        downSince = DateTimeOffset.UtcNow;
                        break;
                    case 250:
                        await deployment.StopRabbitAsync();
                        rabbitDown = true;
                        break;
                    case 400:
                        await deployment.StartRabbitAsync();
                        rabbitDown = false;
                        break;
                    case 600: await deployment.RestartNotificationsWithAsync(patient); break; // SIGKILL, then a start
                }
                status = status == "Stalled" ? "InTheWorks" : "Stalled";
                etag = await ChangeStatusAsync("kh-r2p-1", status, etag, staff);
                versions.Add(long.Parse(etag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture));
            }
            // Down for two minutes in all, then up again.
            var left = downSince + TimeSpan.FromMinutes(2) - DateTimeOffset.UtcNow;
            if (left > TimeSpan.Zero) await Task.Delay(left, Ct);
            receiver.Down = false;

            long VersionOf(ReceivedWebhook hook) => JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("version").GetInt64();
            await WaitUntilAsync(() => receiver.Received.Select(VersionOf).Distinct().Count() >= 1000, TimeSpan.FromMinutes(4), "1,000 distinct webhooks");
            var hooks = receiver.Received.ToList();
            hooks.Select(VersionOf).ToHashSet().SetEquals(versions).ShouldBeTrue();
            // Duplicates only as copies of one event with the same webhook-id.
            hooks.GroupBy(EventIdOf).Count().ShouldBe(1000);
            hooks.GroupBy(EventIdOf).ShouldAllBe(g => g.Select(h => h.WebhookId).Distinct().Count() == 1);
            hooks.Select(h => h.WebhookId).Distinct().Count().ShouldBe(1000);
        }
        finally
        {
            if (rabbitDown) await deployment.StartRabbitAsync();
            await deployment.RestartNotificationsWithAsync(null);
        }
    }

    [Fact]
    public async Task Fault_7_the_RabbitMQ_node_leading_the_queue_stopped_in_the_middle_of_300_writes_to_a_three_node_cluster_loses_none_of_them()
    {
        var clock = Stopwatch.StartNew();
        await deployment.UseRabbitClusterAsync();
        var clusterUp = clock.Elapsed;
        try
        {
            // Every durable queue the services declared is a quorum queue (a classic one lives on one node only).
            var queues = (await deployment.ClusterCtlAsync(1, "list_queues -p / --no-table-headers name type durable leader"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();
            var durable = queues.Where(q => q[2] == "true").ToList();
            durable.Select(q => q[0]).ShouldContain("pledge-status-changed");
            durable.Where(q => q[1] != "quorum").Select(q => $"{q[0]} ({q[1]})").ShouldBeEmpty("durable queues that are not quorum queues");

            await using var receiver = await WebhookReceiver.StartAsync();
            await SubscribeAsync(receiver.BaseUrl + "/cluster", "kh-r2p-6");
            using var staff = deployment.StaffThroughGateway();
            var etag = await ETagOf("kh-r2p-6");
            var status = (await deployment.Gateway().GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-6", Ct)).GetProperty("status").GetString();
            var versions = new List<long>();
            var leader = 0;
            var stoppedAt = TimeSpan.Zero;
            var connections = "";
            for (var i = 0; i < 300; i++)
            {
                if (i == 150)
                {
                    // The node holding the leader of the queue the status changes go to, stopped (writes 150-299
                    // come after it is down; the changes of the first 150 may still be in its queue).
                    var name = queues.Single(q => q[0] == "pledge-status-changed")[3];
                    connections = await deployment.ClusterCtlAsync(1, "list_connections --no-table-headers user port");
                    leader = deployment.ClusterNodeOf(name);
                    stoppedAt = clock.Elapsed;
                    await deployment.StopClusterNodeAsync(leader);
                }
                status = status == "Stalled" ? "InTheWorks" : "Stalled";
                etag = await ChangeStatusAsync("kh-r2p-6", status, etag, staff);
                versions.Add(long.Parse(etag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture));
            }
            var written = clock.Elapsed;
            var survivor = leader == 1 ? 2 : 1;
            var connectionsAfter = await deployment.ClusterCtlAsync(survivor, "list_connections --no-table-headers user port");

            long VersionOf(ReceivedWebhook hook) => JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("version").GetInt64();
            await WaitUntilAsync(() => receiver.Received.Select(VersionOf).Distinct().Count() >= 300, TimeSpan.FromSeconds(120), "300 distinct webhooks");
            var delivered = clock.Elapsed;
            receiver.Received.Select(VersionOf).ToHashSet().SetEquals(versions).ShouldBeTrue();
            receiver.Received.GroupBy(EventIdOf).ShouldAllBe(g => g.Select(h => h.WebhookId).Distinct().Count() == 1);

            // The queue has a new leader on a node still running.
            var now = (await deployment.ClusterCtlAsync(survivor, "list_queues -p / --no-table-headers name leader"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).Single(q => q[0] == "pledge-status-changed")[1];
            deployment.ClusterNodeOf(now).ShouldNotBe(leader);
            var figures =
                $"cluster up and services on it: {clusterUp.TotalSeconds:F1} s; 300 writes: {(written - clusterUp).TotalSeconds:F1} s "
                + $"(leader node {leader} stopped at write 150, {(stoppedAt - clusterUp).TotalSeconds:F1} s in); "
                + $"last webhook {(delivered - written).TotalSeconds:F1} s after the last write; 300/300 delivered\n"
                + $"leader {leader} was {queues.Single(q => q[0] == "pledge-status-changed")[3]}, now {now}; connections before the stop:\n{connections}\nafter the last write:\n{connectionsAfter}";
            TestContext.Current.TestOutputHelper?.WriteLine(figures);
            if (Environment.GetEnvironmentVariable("R2P_FAULT_FIGURES") is { Length: > 0 } file) await File.WriteAllTextAsync(file, figures, Ct);
        }
        finally
        {
            await deployment.UseSingleRabbitAsync();
        }
    }

    [Fact]
    public async Task Fault_8_the_PostgreSQL_primary_lost_in_the_middle_of_staff_writes_fails_over_to_its_synchronous_standby_and_no_acknowledged_write_is_lost()
    {
        var clock = Stopwatch.StartNew();
        await deployment.UsePatroniAsync();
        var clusterUp = clock.Elapsed;
        try
        {
            // A primary whose every commit waits for its standby (Patroni's synchronous mode).
            var primary = await deployment.PatroniLeaderAsync();
            primary.ShouldNotBe(0);
            var standby = primary == 1 ? 2 : 1;
            (await deployment.PatroniQueryAsync(primary, "postgres", "select application_name || ':' || sync_state from pg_stat_replication"))
                .ShouldBe($"node-{standby}:sync");
            (await deployment.PatroniQueryAsync(primary, "postgres", "show synchronous_commit")).ShouldBe("on");

            await using var receiver = await WebhookReceiver.StartAsync();
            await SubscribeAsync(receiver.BaseUrl + "/failover", "kh-r2p-1");
            using var staff = deployment.StaffThroughGateway();
            using var reader = deployment.Gateway();
            // (Read from commitments itself after a failed write: the gateway's cache may not have heard of it yet.)
            using var direct = new HttpClient { BaseAddress = new Uri(deployment.CommitmentsUrl) };
            var failedReads = new List<HttpStatusCode>();
            async Task<(string ETag, string Status)> CurrentAsync() => await TestEnvironment.Eventually(async () =>
            {
                var response = await direct.GetAsync("/api/pledges/kh-r2p-1", Ct);
                if (!response.IsSuccessStatusCode)
                {
                    failedReads.Add(response.StatusCode);
                    return null;
                }
                var pledge = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                return Tuple.Create(response.Headers.ETag!.Tag, pledge.GetProperty("status").GetString()!);
            }, TimeSpan.FromSeconds(90), "the pledge readable again") is var (tag, state) ? (tag, state) : default;

            var (etag, current) = await CurrentAsync();
            var acknowledged = new Dictionary<long, string>(); // version -> the reason that write carried
            var unavailable = 0;
            var okAfterKill = 0;
            TimeSpan killedAt = TimeSpan.Zero, firstWriteAfter = TimeSpan.Zero;
            Task<TimeSpan>? promoted = null;
            for (var i = 0; okAfterKill < 40; i++)
            {
                if (i == 40)
                {
                    killedAt = clock.Elapsed;
                    await deployment.KillPatroniNodeAsync(primary);
                    promoted = Task.Run(async () =>
                    {
                        while (await deployment.PatroniLeaderAsync() != standby) await Task.Delay(250, Ct);
                        return clock.Elapsed - killedAt;
                    }, Ct);
                }
                if (killedAt > TimeSpan.Zero && clock.Elapsed - killedAt > TimeSpan.FromMinutes(2))
                    throw new ShouldAssertException("no write succeeded within 2 minutes of losing the primary\n"
                        + await deployment.PatroniStateAsync(standby) + "\n" + deployment.ServiceOutput[^Math.Min(8000, deployment.ServiceOutput.Length)..]);
                var reason = $"Fault 8: write {i}";
                var response = await staff.SendAsync(Toggle("kh-r2p-1", current, reason, etag), Ct);
                var body = await response.Content.ReadAsStringAsync(Ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    etag = response.Headers.ETag!.Tag;
                    current = current == "Stalled" ? "InTheWorks" : "Stalled";
                    acknowledged.Add(long.Parse(etag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture), reason);
                    if (killedAt > TimeSpan.Zero && okAfterKill++ == 0) firstWriteAfter = clock.Elapsed - killedAt;
                }
                else
                {
                    // The only other answer: a 503 problem saying to try again, never a 500.
                    response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body + "\n" + deployment.ServiceOutput[^Math.Min(8000, deployment.ServiceOutput.Length)..]);
                    response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
                    response.Headers.RetryAfter.ShouldNotBeNull();
                    unavailable++;
                    await Task.Delay(200, Ct);
                    (etag, current) = await CurrentAsync();
                }
            }
            var promotedAfter = await promoted!.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            unavailable.ShouldBeGreaterThan(0, "no write saw the primary go; the test proves nothing");
            // Reads in the failover answer 503 (try again), never a 500.
            failedReads.ShouldAllBe(code => code == HttpStatusCode.ServiceUnavailable, deployment.ServiceOutput[^Math.Min(8000, deployment.ServiceOutput.Length)..]);
            (await deployment.PatroniLeaderAsync()).ShouldBe(standby);

            // Every acknowledged write is on the new primary, as it was acknowledged (a lost write would
            // show as its version holding another write's reason, or missing), and nothing is half-written:
            // the stream runs 1..n, each event whole, its hash chain intact.
            var timeline = await TestEnvironment.Eventually(async () =>
            {
                var entries = (await reader.GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-1/timeline", Ct)).EnumerateArray()
                    .ToDictionary(e => e.GetProperty("version").GetInt64(), e => e.GetProperty("reason").GetString());
                return acknowledged.Keys.All(entries.ContainsKey) ? entries : null;
            }, TimeSpan.FromSeconds(30), "every acknowledged write in the timeline");
            acknowledged.Where(w => timeline[w.Key] != w.Value).Select(w => $"v{w.Key}: {w.Value} became {timeline[w.Key]}").ShouldBeEmpty();
            timeline.Keys.Order().ShouldBe(Enumerable.Range(1, timeline.Count).Select(v => (long)v));
            (await reader.GetFromJsonAsync<JsonElement>("/api/pledges/kh-r2p-1/verify", Ct)).GetProperty("valid").GetBoolean().ShouldBeTrue();
            (await deployment.PatroniQueryAsync(standby, "faults", "select count(*) || ':' || max(version) from commitments.mt_events where stream_id = 'kh-r2p-1'"))
                .ShouldBe($"{timeline.Count}:{timeline.Count}");

            // The services recovered by themselves (no restart): every acknowledged write reaches the webhook.
            long VersionOf(ReceivedWebhook hook) => JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("version").GetInt64();
            await WaitUntilAsync(() => acknowledged.Keys.All(v => receiver.Received.Any(h => VersionOf(h) == v)), TimeSpan.FromSeconds(120),
                "a webhook for every acknowledged write");
            var delivered = clock.Elapsed;
            receiver.Received.GroupBy(EventIdOf).ShouldAllBe(g => g.Select(h => h.WebhookId).Distinct().Count() == 1);

            var figures =
                $"Patroni cluster (etcd, primary + synchronous standby) up and services on it: {clusterUp.TotalSeconds:F1} s; "
                + $"primary node {primary} killed (SIGKILL to Patroni and PostgreSQL) at write 40; standby promoted {promotedAfter.TotalSeconds:F1} s "
                + $"after the kill; first successful write {firstWriteAfter.TotalSeconds:F1} s after the kill (failover time); "
                + $"{unavailable} writes and {failedReads.Count} reads answered 503 in between; {acknowledged.Count} writes acknowledged, all {acknowledged.Count} on the new primary "
                + $"and delivered (last webhook {(delivered - killedAt).TotalSeconds:F1} s after the kill)";
            TestContext.Current.TestOutputHelper?.WriteLine(figures);
            if (Environment.GetEnvironmentVariable("R2P_FAILOVER_FIGURES") is { Length: > 0 } file) await File.WriteAllTextAsync(file, figures, Ct);
        }
        finally
        {
            await deployment.UseSinglePostgresAsync();
        }
    }

    /// <summary>A staff status change that moves the pledge between Stalled and InTheWorks, away from <paramref name="current"/>.</summary>
    private static HttpRequestMessage Toggle(string pledgeId, string current, string reason, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{pledgeId}/status")
        {
            Content = JsonContent.Create(new
            {
                status = current == "Stalled" ? "InTheWorks" : "Stalled", reason, occurredOn = "2023-09-16",
                evidence = new[] { new { title = "CICP, Spotlight on R2P", url = "https://cicp.org.kh/" } },
            }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }
}
