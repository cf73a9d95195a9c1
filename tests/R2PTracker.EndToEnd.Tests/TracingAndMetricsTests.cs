using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>
/// One trace per change across the three processes (they export their spans over OTLP to the
/// deployment's receiver), and the operator metrics on each service's Prometheus endpoint.
/// </summary>
public partial class TracingAndMetricsTests(Deployment deployment)
{
    private const int ServerKind = 2;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"https?://\S+/confirm\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmLink();

    [Fact]
    public async Task A_staff_change_is_one_trace_from_the_gateway_through_commitments_and_notifications_to_the_webhook_post_and_the_mail()
    {
        var pledgeId = await deployment.NewPledgeAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        using var gateway = deployment.Gateway();
        (await gateway.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url = receiver.BaseUrl + "/r2p", pledgeIds = new[] { pledgeId } }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var address = $"tracer-{Guid.NewGuid():N}@example.org";
        (await gateway.PostAsJsonAsync("/api/subscriptions", new { kind = "email", email = address, filter = new { pledgeIds = new[] { pledgeId } } }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var confirmation = (await MailDev.WaitForMailsAsync(address, 1, Ct)).Single();
        var confirm = ConfirmLink().Match(confirmation.GetProperty("text").GetString()!).Value[deployment.GatewayUrl.Length..];
        (await gateway.PostAsync(confirm, null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The staff POST at the gateway (the test sends no traceparent: the gateway starts the trace).
        await deployment.ChangeStatusAsync(pledgeId, "InTheWorks", "\"1\"");

        var hook = await TestEnvironment.Eventually(() => Task.FromResult(receiver.Received.FirstOrDefault(
            r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString() == "pledge.status_changed")), TimeSpan.FromSeconds(30), "the webhook");
        var (traceId, postSpanId) = TraceParent(hook.Headers.GetValueOrDefault("traceparent"));

        // From the span that made the webhook POST up to the trace's root, every parent among the spans the services exported.
        List<ReceivedSpan> chain;
        try
        {
            chain = await TestEnvironment.Eventually(() => Task.FromResult(ChainToRoot(deployment.Spans.Trace(traceId), postSpanId)),
                TimeSpan.FromSeconds(30), $"the spans of trace {traceId} from the webhook POST to its root");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + " All: " + deployment.Spans.Summary() + ". Of this trace:\n" + string.Join("\n", deployment.Spans.Trace(traceId)), e);
        }
        var root = chain[^1];
        root.Service.ShouldBe("gateway");
        root.Kind.ShouldBe(ServerKind);
        root.Name.ShouldStartWith("POST");
        // Root first: the gateway, then commitments, then notifications, each once.
        Enumerable.Reverse(chain).Select(s => s.Service).Aggregate(new List<string>(), (services, s) =>
        {
            if (services.Count == 0 || services[^1] != s) services.Add(s);
            return services;
        }).ShouldBe(["gateway", "commitments", "notifications"]);
        chain.ShouldContain(s => s.Service == "commitments" && s.Kind == ServerKind);
        chain.ShouldContain(s => s.Service == "commitments" && s.Name.StartsWith("forward ", StringComparison.Ordinal));
        chain.ShouldContain(s => s.Service == "commitments" && s.Scope == "MassTransit");
        chain.ShouldContain(s => s.Service == "notifications" && s.Scope == "MassTransit");
        chain.ShouldContain(s => s.Service == "notifications" && s.Name == "deliver webhook");

        // The alert mail carries the same trace.
        var alert = (await MailDev.WaitForMailsAsync(address, 2, Ct)).Single(m => !m.GetProperty("subject").GetString()!.StartsWith("Confirm", StringComparison.Ordinal));
        var mailHeaders = MailDev.Headers(await MailDev.SourceAsync(alert, Ct));
        TraceParent(mailHeaders.GetValueOrDefault("traceparent")).TraceId.ShouldBe(traceId);
    }

    [Fact]
    public async Task Appends_forwarding_deliveries_retries_dead_letters_cache_and_live_clients_move_on_the_scrape_endpoints()
    {
        using var scraper = new HttpClient();
        var commitmentsBefore = await ScrapeAsync(scraper, deployment.CommitmentsUrl);
        var notificationsBefore = await ScrapeAsync(scraper, deployment.NotificationsUrl);
        var gatewayBefore = await ScrapeAsync(scraper, deployment.GatewayMetricsUrl);

        var pledgeId = await deployment.NewPledgeAsync();
        // One receiver that fails once then takes the alert, one that always fails (its delivery goes dead
        // after the deployment's three retries).
        await using var flaky = await WebhookReceiver.StartAsync();
        flaky.FailFirst(1);
        await using var broken = await WebhookReceiver.StartAsync();
        broken.FailFirst(1000);
        using var gateway = deployment.Gateway();
        foreach (var receiver in new[] { flaky, broken })
            (await gateway.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url = receiver.BaseUrl + "/r2p", pledgeIds = new[] { pledgeId } }, Ct))
                .StatusCode.ShouldBe(HttpStatusCode.Created);
        await deployment.ChangeStatusAsync(pledgeId, "Stalled", "\"1\"");

        await TestEnvironment.Eventually(async () =>
        {
            var now = await ScrapeAsync(scraper, deployment.CommitmentsUrl);
            // The registration and the status change.
            return Grew(commitmentsBefore, now, "r2p_commitments_events_appended_total", 2)
                   && Grew(commitmentsBefore, now, "r2p_commitments_events_forwarded_total", 2)
                   && Grew(commitmentsBefore, now, "r2p_commitments_forwarding_lag_seconds_count", 2) ? now : null;
        }, TimeSpan.FromSeconds(30), "commitments' appends and forwarding to be counted");
        await TestEnvironment.Eventually(async () =>
        {
            var now = await ScrapeAsync(scraper, deployment.NotificationsUrl);
            return Grew(notificationsBefore, now, "r2p_notifications_deliveries_total", 1, ("kind", "webhook"), ("outcome", "delivered"))
                   && Grew(notificationsBefore, now, "r2p_notifications_deliveries_total", 1 + 3, ("kind", "webhook"), ("outcome", "failed"))
                   && Grew(notificationsBefore, now, "r2p_notifications_deliveries_total", 1, ("kind", "webhook"), ("outcome", "dead"))
                   && Grew(notificationsBefore, now, "r2p_notifications_delivery_retries_total", 1 + 3)
                   && Grew(notificationsBefore, now, "r2p_notifications_dead_letters_total", 1) ? now : null;
        }, TimeSpan.FromSeconds(30), "notifications' deliveries, retries and dead letters to be counted");

        // A public read twice: a miss then (unless evicted by the change's invalidation in between) a hit.
        await TestEnvironment.Eventually(async () =>
        {
            for (var i = 0; i < 2; i++) (await gateway.GetAsync($"/api/pledges/{pledgeId}", Ct)).EnsureSuccessStatusCode();
            var now = await ScrapeAsync(scraper, deployment.GatewayMetricsUrl);
            return Grew(gatewayBefore, now, "r2p_gateway_cache_misses_total", 1) && Grew(gatewayBefore, now, "r2p_gateway_cache_hits_total", 1) ? now : null;
        }, TimeSpan.FromSeconds(30), "the gateway's cache hits and misses to be counted");

        using var live = await gateway.GetAsync("/api/live", HttpCompletionOption.ResponseHeadersRead, Ct);
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        await TestEnvironment.Eventually(async () =>
        {
            var now = await ScrapeAsync(scraper, deployment.GatewayMetricsUrl);
            return Sum(now, "r2p_gateway_live_clients") >= 1 ? now : null;
        }, TimeSpan.FromSeconds(10), "the open live stream to be counted");
    }

    [Fact]
    public async Task The_gateway_does_not_answer_metrics_on_its_public_port()
    {
        using var scraper = new HttpClient();
        (await scraper.GetAsync(deployment.GatewayMetricsUrl + "/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await deployment.Gateway().GetAsync("/metrics", Ct);
        answer.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await answer.Content.ReadAsStringAsync(Ct)).ShouldNotContain("r2p_gateway");
        // Nor when the request names the metrics port in its Host header.
        var named = new HttpRequestMessage(HttpMethod.Get, deployment.GatewayUrl + "/metrics");
        named.Headers.Host = new Uri(deployment.GatewayMetricsUrl).Authority;
        (await scraper.SendAsync(named, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static (string TraceId, string SpanId) TraceParent(string? header)
    {
        header.ShouldNotBeNull("a traceparent header");
        var parts = header.Split('-');
        parts.Length.ShouldBe(4, header);
        parts[0].ShouldBe("00");
        parts[1].ShouldMatch("^[0-9a-f]{32}$");
        return (parts[1], parts[2]);
    }

    /// <summary>The spans from <paramref name="spanId"/> up to a root (no parent), or null while one of them has not arrived.</summary>
    private static List<ReceivedSpan>? ChainToRoot(IReadOnlyList<ReceivedSpan> spans, string spanId)
    {
        var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var chain = new List<ReceivedSpan>();
        for (string? id = spanId; id is not null; id = chain[^1].ParentSpanId)
        {
            if (!byId.TryGetValue(id, out var span) || chain.Count > 100) return null;
            chain.Add(span);
        }
        return chain;
    }

    private static async Task<string> ScrapeAsync(HttpClient http, string serviceUrl)
    {
        var response = await http.GetAsync(serviceUrl + "/metrics", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>The sum of the samples of <paramref name="name"/> that have the given labels (and any others).</summary>
    private static double Sum(string exposition, string name, params (string Key, string Value)[] labels) =>
        exposition.Split('\n').Select(Sample).Where(s => s is not null && s.Value.Name == name && labels.All(l => s.Value.Labels.GetValueOrDefault(l.Key) == l.Value))
            .Sum(s => s!.Value.Value);

    /// <summary>One line of the Prometheus text format: name{label="value",…} value [timestamp].</summary>
    private static (string Name, Dictionary<string, string> Labels, double Value)? Sample(string line)
    {
        if (line.Length == 0 || line[0] == '#') return null;
        var labels = new Dictionary<string, string>();
        var open = line.IndexOf('{');
        var space = line.IndexOf(' ');
        string name, rest;
        if (open >= 0 && open < space)
        {
            name = line[..open];
            var close = line.LastIndexOf('}');
            foreach (Match m in LabelPair().Matches(line[(open + 1)..close])) labels[m.Groups[1].Value] = m.Groups[2].Value;
            rest = line[(close + 1)..];
        }
        else
        {
            name = line[..space];
            rest = line[space..];
        }
        return (name, labels, double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    private static bool Grew(string before, string after, string name, double by, params (string, string)[] labels) =>
        Sum(after, name, labels) - Sum(before, name, labels) >= by;
}
