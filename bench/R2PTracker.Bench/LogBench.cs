using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Bench;

/// <summary>
/// The transparency log's bench (bench/log/run.sh): appends with the log off and on, each in a commitments
/// process of its own on the same store, in this one run; then, with the log on, how long after an append
/// its event is in a signed checkpoint; then the store filled to --events and the time the log takes to
/// catch up; then inclusion and consistency proofs at that size.
/// </summary>
internal static class LogBench
{
    public static async Task RunAsync(Args options, List<(string Measure, string Value, string Note)> results, Func<string, HttpClient> connect)
    {
        var dll = options["commitments-dll"];
        var clients = options.Int("clients", 8);
        var seconds = options.Int("seconds", 10);
        var warmUp = options.Int("warmup", 60);
        var rates = new Dictionary<bool, double>();
        // Off, on, off, on: the store grows during the run, so each setting is measured early and late.
        foreach (var enabled in new[] { false, true, false, true })
        {
            await using var commitments = await Service.StartAsync(dll, enabled);
            var label = enabled ? "log on" : "log off";
            await Appends.RunAsync($"{label} warm-up", () => connect(commitments.Url), clients, warmUp);
            var (perSecond, _) = await Appends.RunAsync(label, () => connect(commitments.Url), clients, seconds);
            rates[enabled] = rates.TryGetValue(enabled, out var earlier) ? (earlier + perSecond) / 2 : perSecond;
        }
        results.Add(("milestone appends/s, log off", rates[false].ToString("F0", CultureInfo.InvariantCulture), $"{clients} clients, mean of two runs"));
        results.Add(("milestone appends/s, log on", rates[true].ToString("F0", CultureInfo.InvariantCulture),
            $"{rates[true] / rates[false]:P0} of log off (goal: within 10 %)"));

        await using var logged = await Service.StartAsync(dll, true);
        var http = connect(logged.Url);
        http.Timeout = TimeSpan.FromHours(2);
        await CaughtUpAsync(http, options["postgres"], TimeSpan.FromMinutes(10));

        // Checkpoint lag: one writer, each append followed by polling the checkpoint until it covers it.
        var lagRequests = options.Int("lag-requests", 200);
        var lags = new List<double>(lagRequests);
        var id = await RegisterAsync(http);
        for (var version = 1L; version <= lagRequests; version++)
        {
            var before = await TreeSizeAsync(http);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/milestones")
            {
                Content = JsonContent.Create(new { title = "Milestone", occurredOn = "2019-12", evidence = new[] { new { title = "Report" } } }),
            };
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var appended = Stopwatch.GetTimestamp();
            while (await TreeSizeAsync(http) <= before) await Task.Delay(2);
            lags.Add(Stopwatch.GetElapsedTime(appended).TotalMilliseconds);
        }
        lags.Sort();
        results.Add(("checkpoint lag after an append, ms", $"{Percentile(lags, 0.5):F0} / {Percentile(lags, 0.99):F0}",
            $"p50 / p99 over {lagRequests} appends (goal p99 <= 1000)"));

        // Fill to the target size through the import (a process of its own), and time the log's catch-up.
        var target = options.Int("events", 1_000_000);
        var inStore = await PledgeEventsAsync(options["postgres"]);
        if (target > inStore)
        {
            var file = Path.Combine(Path.GetTempPath(), $"r2p-log-bench-{target}.ndjson");
            ImportFile.Write(file, 0, (int)((target - inStore + ImportFile.EventsPerPledge - 1) / ImportFile.EventsPerPledge));
            var (answer, took) = await Import.RunAsync(dll, file);
            File.Delete(file);
            Console.WriteLine($"import: {answer} in {took:F0} s");
        }
        var started = Stopwatch.GetTimestamp();
        var size = await CaughtUpAsync(http, options["postgres"], TimeSpan.FromHours(1));
        var caughtUp = Stopwatch.GetElapsedTime(started).TotalSeconds;
        results.Add(($"log caught up with the import, at {size:N0} entries", $"{caughtUp:F0} s",
            "from the end of the import to a checkpoint of every event"));

        var requests = options.Int("requests", 1000);
        var random = new Random(13);
        var indices = Enumerable.Range(0, requests + 10).Select(_ => random.NextInt64(size)).ToArray();
        var (p50, p99) = await Latency.MeasureAsync(http, i => $"/api/log/proof/inclusion?index={indices[i + 10]}&treeSize={size}", requests);
        results.Add(($"inclusion proof at {size:N0} entries, ms", $"{p50:F1} / {p99:F1}", $"p50 / p99 over {requests} random leaves (goal p99 <= 20)"));
        var froms = Enumerable.Range(0, requests + 10).Select(_ => 1 + random.NextInt64(size - 1)).ToArray();
        (p50, p99) = await Latency.MeasureAsync(http, i => $"/api/log/proof/consistency?from={froms[i + 10]}&to={size}", requests);
        results.Add(($"consistency proof to {size:N0} entries, ms", $"{p50:F1} / {p99:F1}", $"p50 / p99 over {requests} random sizes (goal p99 <= 20)"));
        var starts = Enumerable.Range(0, requests + 10).Select(_ => random.NextInt64(size - 1000)).ToArray();
        (p50, p99) = await Latency.MeasureAsync(http, i => $"/api/log/entries?start={starts[i + 10]}&end={starts[i + 10] + 1000}", requests / 10);
        results.Add(("1,000 entries, ms", $"{p50:F1} / {p99:F1}", $"p50 / p99 over {requests / 10} random ranges"));
        results.Add(("commitments RSS after the log bench, MB", Rss.MegabytesOf(logged.Pid).ToString(CultureInfo.InvariantCulture), ""));
    }

    private static async Task<long> TreeSizeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/api/log/checkpoint");
        if (!response.IsSuccessStatusCode) return 0;
        return Checkpoint.Parse(SignedNote.Parse(await response.Content.ReadAsStringAsync()).Text).TreeSize;
    }

    private static async Task<long> PledgeEventsAsync(string postgres)
    {
        await using var db = Npgsql.NpgsqlDataSource.Create(postgres);
        await using var count = db.CreateCommand(
            $"select count(*) from {R2PTracker.Commitments.Configuration.Schema}.mt_events where stream_id <> 'mt_tombstone'");
        return Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the latest checkpoint covers every pledge event in the store; its size.</summary>
    private static async Task<long> CaughtUpAsync(HttpClient http, string postgres, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var events = await PledgeEventsAsync(postgres);
            var size = await TreeSizeAsync(http);
            if (size >= events && events > 0) return size;
            await Task.Delay(200);
        }
        throw new TimeoutException("The log did not catch up with the store.");
    }

    private static async Task<string> RegisterAsync(HttpClient http)
    {
        var id = $"bench-lag-{Guid.NewGuid():N}"[..30];
        (await http.PostAsJsonAsync("/api/pledges", new
        {
            id, title = "Lag pledge", quote = "A pledge for the bench", actor = "Bench", country = "KH", madeOn = "2015-02",
            source = new { title = "Bench", publisher = "Bench" },
        })).EnsureSuccessStatusCode();
        return id;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>A commitments process with the environment of the bench (the script exports it) and the log on or off.</summary>
    private sealed class Service : IAsyncDisposable
    {
        private readonly Process _process;

        private Service(Process process, string url) => (_process, Url) = (process, url);

        public string Url { get; }
        public int Pid => _process.Id;

        public static async Task<Service> StartAsync(string dll, bool log)
        {
            var port = FreePort();
            var start = new ProcessStartInfo("dotnet", [Path.GetFileName(dll)])
            {
                WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["Urls"] = $"http://127.0.0.1:{port}";
            start.Environment["Log__Enabled"] = log ? "true" : "false";
            start.Environment["Overdue__Enabled"] = "false";
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"commitments: {e.Data}"); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var service = new Service(process, $"http://127.0.0.1:{port}");
            using var probe = new HttpClient();
            for (var i = 0; i < 360; i++)
            {
                try
                {
                    if ((await probe.GetAsync(service.Url + "/health/ready")).IsSuccessStatusCode) return service;
                }
                catch (HttpRequestException) { }
                await Task.Delay(250);
            }
            await service.DisposeAsync();
            throw new TimeoutException("commitments did not start");
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
