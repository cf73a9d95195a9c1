// Notifications bench: (a) one status change fanned out to N webhook subscriptions on a local
// receiver; (b) write → webhook latency at a steady write rate. The three services run as
// processes (Release build) on the PostgreSQL and RabbitMQ that bench/notifications/run.sh starts.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using R2PTracker.Testing;

var fanOutSize = Arg("--subscribers", 10_000);
var rate = Arg("--rate", 50);
var seconds = Arg("--seconds", 60);

var received = new ConcurrentDictionary<string, DateTimeOffset>(); // "{pledgeId}:{version}:{path}" → first arrival
var recordedAt = new ConcurrentDictionary<string, DateTimeOffset>(); // same key → the event's Marten timestamp
var receiverApp = StartReceiver(received, recordedAt);
await receiverApp.StartAsync();
var receiverUrl = receiverApp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

var root = TestEnvironment.RepositoryRoot();
string Dll(string service, string project) => Path.Combine(root, "services", service, "src", project, "bin", "Release", "net10.0", project + ".dll");
var common = new Dictionary<string, string>
{
    ["ConnectionStrings__Postgres"] = await TestEnvironment.CreateDatabaseAsync("bench"),
    ["ConnectionStrings__RabbitMq"] = TestEnvironment.RabbitMqServer + "/",
    ["InternalAuth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    ["DOTNET_ENVIRONMENT"] = "Production",
    ["ASPNETCORE_ENVIRONMENT"] = "Production",
    ["Logging__LogLevel__Default"] = "Warning",
};
string gatewayUrl = $"http://127.0.0.1:{FreePort()}", commitmentsUrl = $"http://127.0.0.1:{FreePort()}", notificationsUrl = $"http://127.0.0.1:{FreePort()}";
var staffToken = await RunAsync(Dll("gateway", "R2PTracker.Gateway"), common, "staff", "add", "Bench Editor", "--role", "editor");
var processes = new List<Process>
{
    Start(Dll("commitments", "R2PTracker.Commitments"), With(common, ("Urls", commitmentsUrl))),
    Start(Dll("notifications", "R2PTracker.Notifications"), With(common, ("Urls", notificationsUrl), ("Webhooks__AllowLoopback", "true"),
        // Every subscription of the bench aims at its one local receiver.
        ("Webhooks__MaxPerHost", "1000000"), ("Webhooks__MaxPerClient", "1000000"))),
    Start(Dll("gateway", "R2PTracker.Gateway"), With(common, ("Urls", gatewayUrl),
        ("ReverseProxy__Clusters__commitments__Destinations__primary__Address", commitmentsUrl + "/"),
        ("ReverseProxy__Clusters__notifications__Destinations__primary__Address", notificationsUrl + "/"))),
};
try
{
    foreach (var url in new[] { commitmentsUrl, notificationsUrl, gatewayUrl }) await WaitReadyAsync(url);
    await RunAsync(Dll("commitments", "R2PTracker.Commitments"), common, "seed");
    using var gateway = new HttpClient { BaseAddress = new Uri(gatewayUrl) };
    using var staff = new HttpClient { BaseAddress = new Uri(gatewayUrl) };
    staff.DefaultRequestHeaders.Authorization = new("Bearer", staffToken);
    using var notifications = new HttpClient { BaseAddress = new Uri(notificationsUrl) };
    var rows = new List<(string, string, string)>();

    // (a) Fan-out: N subscriptions to kh-r2p-1 (created straight on notifications: setup, not measured).
    Console.Error.WriteLine($"creating {fanOutSize} subscriptions…");
    await Parallel.ForEachAsync(Enumerable.Range(0, fanOutSize), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        (await notifications.PostAsJsonAsync("/api/subscriptions", new
        {
            kind = "webhook", url = $"{receiverUrl}/fan/{i}", filter = new { pledgeIds = new[] { "kh-r2p-1" }, eventTypes = new[] { "pledge.status_changed" } },
        }, ct)).EnsureSuccessStatusCode());
    var etag = (await gateway.GetAsync("/api/pledges/kh-r2p-1")).Headers.ETag!.Tag;
    var written = DateTimeOffset.UtcNow;
    var (version, _) = await WriteAsync(staff, "kh-r2p-1", "InTheWorks", etag);
    var deadline = DateTime.UtcNow.AddMinutes(5);
    while (received.Keys.Count(k => k.StartsWith($"kh-r2p-1:{version}:", StringComparison.Ordinal)) < fanOutSize && DateTime.UtcNow < deadline)
        await Task.Delay(50);
    var arrivals = received.Where(kv => kv.Key.StartsWith($"kh-r2p-1:{version}:", StringComparison.Ordinal)).Select(kv => kv.Value).Order().ToList();
    var toLast = arrivals.Count > 0 ? (arrivals[^1] - written).TotalSeconds : double.NaN;
    var spread = arrivals.Count > 1 ? (arrivals[^1] - arrivals[0]).TotalSeconds : double.NaN;
    rows.Add(("(a) fan-out: webhooks delivered", $"{arrivals.Count} / {fanOutSize}", ""));
    rows.Add(("(a) write → last webhook", $"{toLast:0.00} s", "goal ≤ 10 s"));
    rows.Add(("(a) deliveries per second", $"{arrivals.Count / Math.Max(toLast, 0.001):0}", $"first→last {spread:0.00} s"));

    // (b) Latency: one subscription to the other pledges; writes round-robin over them at a fixed rate.
    // Not the focal point: it has a target date, so the overdue monitor appends to it too.
    string[] pledges = ["kh-r2p-2", "kh-r2p-3", "kh-r2p-4", "kh-r2p-5", "kh-r2p-6"];
    (await notifications.PostAsJsonAsync("/api/subscriptions", new { kind = "webhook", url = $"{receiverUrl}/latency", filter = new { pledgeIds = pledges } })).EnsureSuccessStatusCode();
    var etags = new Dictionary<string, string>();
    var statuses = new Dictionary<string, bool>();
    foreach (var p in pledges) { etags[p] = (await gateway.GetAsync($"/api/pledges/{p}")).Headers.ETag!.Tag; statuses[p] = false; }
    var sent = new ConcurrentDictionary<string, DateTimeOffset>();
    var locks = pledges.ToDictionary(p => p, _ => new SemaphoreSlim(1, 1));
    var writes = new List<Task>();
    var total = rate * seconds;
    var clock = Stopwatch.StartNew();
    var writeFailures = 0;
    Console.Error.WriteLine($"writing {total} status changes at {rate}/s…");
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
        var pledge = pledges[i % pledges.Length];
        writes.Add(Task.Run(async () =>
        {
            await locks[pledge].WaitAsync();
            try
            {
                statuses[pledge] = !statuses[pledge];
                var start = DateTimeOffset.UtcNow;
                var (v, newEtag) = await WriteAsync(staff, pledge, statuses[pledge] ? "Stalled" : "InTheWorks", etags[pledge]);
                etags[pledge] = newEtag;
                sent[$"{pledge}:{v}:/latency"] = start;
            }
            catch (HttpRequestException e)
            {
                // Another writer (e.g. the overdue monitor) moved the pledge on: count it, re-read its version.
                if (Interlocked.Increment(ref writeFailures) <= 3) Console.Error.WriteLine($"write to {pledge} failed: {e.Message}");
                etags[pledge] = (await gateway.GetAsync($"/api/pledges/{pledge}")).Headers.ETag!.Tag;
            }
            finally { locks[pledge].Release(); }
        }));
    }
    await Task.WhenAll(writes);
    var achieved = total / clock.Elapsed.TotalSeconds;
    deadline = DateTime.UtcNow.AddSeconds(60);
    while (sent.Keys.Any(k => !received.ContainsKey(k)) && DateTime.UtcNow < deadline) await Task.Delay(100);
    var latencies = sent.Where(kv => received.ContainsKey(kv.Key)).Select(kv => (received[kv.Key] - kv.Value).TotalMilliseconds).Order().ToList();
    double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
    rows.Add(("(b) writes (achieved rate)", $"{sent.Count} ok, {writeFailures} failed ({achieved:0.0}/s)", $"target {rate}/s for {seconds} s"));
    rows.Add(("(b) webhooks received", $"{latencies.Count} / {sent.Count}", ""));
    rows.Add(("(b) write → webhook p50", $"{P(0.50):0} ms", "goal < 100 ms"));
    rows.Add(("(b) write → webhook p99", $"{P(0.99):0} ms", "goal < 500 ms"));
    var fromRecorded = sent.Keys.Where(k => received.ContainsKey(k) && recordedAt.ContainsKey(k))
        .Select(k => (received[k] - recordedAt[k]).TotalMilliseconds).Order().ToList();
    rows.Add(("(b) event recorded → webhook p50", $"{(fromRecorded.Count > 0 ? fromRecorded[fromRecorded.Count / 2] : double.NaN):0} ms", "forwarding + notifications"));
    rows.Add(("(b) write → webhook max", $"{(latencies.Count > 0 ? latencies[^1] : double.NaN):0} ms", ""));

    Console.WriteLine();
    Console.WriteLine($"{"measure",-34} | {"result",-34} | note");
    Console.WriteLine($"{new string('-', 34)} | {new string('-', 34)} | {new string('-', 20)}");
    foreach (var (name, value, note) in rows) Console.WriteLine($"{name,-34} | {value,-34} | {note}");
}
finally
{
    foreach (var p in processes) { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(10_000); }
    await receiverApp.StopAsync();
}

static async Task<(long Version, string ETag)> WriteAsync(HttpClient staff, string pledgeId, string status, string etag)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{pledgeId}/status")
    {
        Content = JsonContent.Create(new
        {
            status, reason = "Bench", occurredOn = "2023-09-16", evidence = new[] { new { title = "CICP", url = "https://cicp.org.kh/" } },
        }),
    };
    request.Headers.TryAddWithoutValidation("If-Match", etag);
    using var response = await staff.SendAsync(request);
    if (!response.IsSuccessStatusCode) throw new HttpRequestException($"write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    var tag = response.Headers.ETag!.Tag;
    return (long.Parse(tag.Trim('"'), CultureInfo.InvariantCulture), tag);
}

static WebApplication StartReceiver(ConcurrentDictionary<string, DateTimeOffset> received, ConcurrentDictionary<string, DateTimeOffset> recordedAt)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
    var app = builder.Build();
    app.MapPost("/{**path}", async (HttpContext http) =>
    {
        var at = DateTimeOffset.UtcNow;
        var root = (await JsonDocument.ParseAsync(http.Request.Body)).RootElement;
        var data = root.GetProperty("data");
        // A new subscription's URL proves it wants the traffic by echoing the challenge.
        if (root.GetProperty("type").GetString() == WebhookReceiver.VerificationType)
            return Results.Json(new { challenge = data.GetProperty("challenge").GetString() });
        var key = $"{data.GetProperty("pledgeId").GetString()}:{data.GetProperty("version").GetInt64()}:{http.Request.Path}";
        received.TryAdd(key, at);
        if (data.TryGetProperty("recordedAt", out var recorded)) recordedAt.TryAdd(key, recorded.GetDateTimeOffset());
        return Results.Ok();
    });
    return app;
}

static Process Start(string dll, IReadOnlyDictionary<string, string> environment)
{
    var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    info.ArgumentList.Add("exec");
    info.ArgumentList.Add(dll);
    foreach (var (k, v) in environment) info.Environment[k] = v;
    var process = Process.Start(info)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("fail", StringComparison.Ordinal)) Console.Error.WriteLine(line); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task<string> RunAsync(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
{
    var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    info.ArgumentList.Add("exec");
    info.ArgumentList.Add(dll);
    foreach (var a in args) info.ArgumentList.Add(a);
    foreach (var (k, v) in environment) info.Environment[k] = v;
    using var process = Process.Start(info)!;
    var stdout = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', args)} failed: {await process.StandardError.ReadToEndAsync()}");
    return stdout.Trim();
}

static async Task WaitReadyAsync(string url)
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(250))
    {
        try { if ((await http.GetAsync(url + "/health/ready")).IsSuccessStatusCode) return; }
        catch (HttpRequestException) { }
        catch (TaskCanceledException) { }
    }
    throw new TimeoutException(url + " not ready");
}

static Dictionary<string, string> With(Dictionary<string, string> env, params (string Key, string Value)[] extra)
{
    var copy = new Dictionary<string, string>(env);
    foreach (var (k, v) in extra) copy[k] = v;
    return copy;
}

static int FreePort()
{
    using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
