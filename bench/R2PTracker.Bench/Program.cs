using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using R2PTracker.Bench;
using R2PTracker.Commitments;
using R2PTracker.ServiceDefaults;

// The commitments bench (not a test). bench/run.sh starts the servers and calls this with:
//   --commitments URL --gateway URL --admin-token TOKEN --signing-key KEY --postgres CONNSTRING
//   --pgbench PATH --pg-port PORT --database NAME [--seconds 10] [--clients 8] [--events 100000]
//   [--only appends|reads] [--floor URL] [--requests 200] [--export-requests 200] [--commitments-pid PID]
//   --commitments-dll PATH (the import command the store is filled through) [--import-writers 3]
//   (--events is a list of store sizes to fill up to and measure at, e.g. 100000,1000000)
// and, as a process of its own, with --serve-floor URL --postgres CONNSTRING (see Floor).
// --write-import-file PATH --pledges N writes the import file the bench fills with (pledges of
// 100 events, from bench-000000 on) and stops: to fill a store of one's own with the import command.
var options = Args.Parse(args);
if (options.Text("write-import-file", "") is { Length: > 0 } importPath)
{
    var (pledgesWritten, linesWritten) = ImportFile.Write(importPath, 0, options.Int("pledges", 10_000));
    Console.WriteLine($"{linesWritten} events of {pledgesWritten} pledges written to {importPath}");
    return 0;
}
if (options.Text("serve-floor", "") is { Length: > 0 } floorUrl)
{
    await Floor.ServeAsync(floorUrl, options["postgres"]);
    return 0;
}
var seconds = options.Int("seconds", 10);
var clients = options.Int("clients", 8);
var results = new List<(string Measure, string Value, string Note)>();
if (options.Text("only", "all") is not ("all" or "appends" or "reads" or "log"))
{
    Console.Error.WriteLine("--only takes appends, reads or log.");
    return 2;
}

var internalKey = InternalAuth.KeyFrom(options["signing-key"]);
// Internal tokens live 60 s, less than a long warm-up: each request to commitments carries a fresh one.
HttpClient Direct() => new(new FreshInternalToken(internalKey)) { BaseAddress = new Uri(options["commitments"]) };
HttpClient ViaGateway()
{
    var c = new HttpClient { BaseAddress = new Uri(options["gateway"]) };
    c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options["admin-token"]);
    return c;
}

// The transparency log's bench (bench/log/run.sh): its own commitments processes, log off and on.
if (options.Text("only", "all") == "log")
{
    await LogBench.RunAsync(options, results, url => new HttpClient(new FreshInternalToken(internalKey)) { BaseAddress = new Uri(url) });
    return Report(results);
}

// (a) milestone appends per second over HTTP, direct and through the gateway, vs pgbench inserts.
// --only reads skips (a), for working on (b).
if (options.Text("only", "all") != "reads")
{
    // A warm-up first, not counted: a fresh .NET process spends its first seconds compiling (tiered JIT).
    var warmUp = options.Int("warmup", 60);
    await Appends.RunAsync("direct warm-up", Direct, clients, warmUp);
    var direct = await Appends.RunAsync("direct", Direct, clients, seconds);
    await Appends.RunAsync("gateway warm-up", ViaGateway, clients, warmUp);
    var gateway = await Appends.RunAsync("gateway", ViaGateway, clients, seconds);
    double? floor = null;
    if (options.Text("floor", "") is { Length: > 0 } floorAt)
    {
        await Floor.RunAsync("floor warm-up", floorAt, clients, warmUp);
        floor = await Floor.RunAsync("floor", floorAt, clients, seconds);
    }
    var pgbench = await PgBench.RunAsync(options["pgbench"], options.Int("pg-port", 5432), options["database"], clients, seconds);
    results.Add(("pgbench single-row inserts/s", pgbench.ToString("F0", CultureInfo.InvariantCulture), $"{clients} clients, custom script"));
    results.Add(("milestone appends/s, direct", direct.PerSecond.ToString("F0", CultureInfo.InvariantCulture),
        $"{direct.PerSecond / pgbench:F2} of pgbench (goal >= 0.30); {direct.Failures} failed"));
    results.Add(("milestone appends/s, via gateway", gateway.PerSecond.ToString("F0", CultureInfo.InvariantCulture),
        $"{gateway.PerSecond / pgbench:F2} of pgbench (goal >= 0.30); {gateway.Failures} failed"));
    if (floor is { } f)
        results.Add(("floor: HTTP + one INSERT, minimal endpoint/s", f.ToString("F0", CultureInfo.InvariantCulture),
            $"{f / pgbench:F2} of pgbench; appends are {direct.PerSecond / f:F2} of it"));
}

// (b) the read side: fill through the import up to each size in --events (100000,1000000 by
// default), then at each size time every kind of read; --only appends skips (b).
if (options.Text("only", "all") == "appends") return Report(results);
var requests = options.Int("requests", 200);
var exportRequests = options.Int("export-requests", requests);
var commitmentsPid = options.Int("commitments-pid", 0);
var importRate = 0.0;
var client = Direct();
client.Timeout = TimeSpan.FromHours(2);
var stages = options.Text("events", "100000,1000000").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList();
var pages = new Dictionary<int, double>();
var inStore = 0;
// Part (a) has left its appends in the store: the sizes count them too.
await using (var db = Npgsql.NpgsqlDataSource.Create(options["postgres"]))
await using (var count = db.CreateCommand($"select count(*) from {Configuration.Schema}.mt_events"))
    inStore = Convert.ToInt32(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
foreach (var target in stages)
{
    if (target > inStore)
    {
        var file = Path.Combine(Path.GetTempPath(), $"r2p-bench-import-{target}.ndjson");
        var (made, lines) = ImportFile.Write(file, inStore / ImportFile.EventsPerPledge, (target - inStore + ImportFile.EventsPerPledge - 1) / ImportFile.EventsPerPledge);
        var (answer, took) = await Import.RunAsync(options["commitments-dll"], file);
        File.Delete(file);
        var imported = answer.GetProperty("events").GetInt32();
        importRate = imported / took;
        inStore += lines;
        Console.WriteLine($"import: {made} pledges, {imported} events in {took:F1} s = {importRate:F0} events/s ({answer})");
    }
    using var counted = await client.GetAsync("/api/pledges?limit=1");
    var pledgeCount = counted.Headers.GetValues("X-Total-Count").Single();
    var label = $"{inStore / 1000:N0}k events";
    results.Add(($"— at {inStore:N0} events ({pledgeCount} pledges)", "p50 / p99", $"ms over {requests} requests each"));

    var dates = new Random(7);
    var asOfDates = Enumerable.Range(0, requests + 5).Select(_ => new DateOnly(2013, 1, 1).AddDays(dates.Next(365 * 12)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
    string At(int i) => asOfDates[i + 5];
    var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    var reads = new (string Name, Func<int, string> Url, double Goal)[]
    {
        ("current, first page (limit=50)", _ => "/api/pledges?limit=50", 0),
        ("as of a date, occurred axis", i => $"/api/pledges?limit=50&asOf={At(i)}", 2),
        ("as of today, recorded axis", _ => $"/api/pledges?limit=50&asOf={today}&axis=recorded", 2),
        ("filtered (status + theme)", _ => "/api/pledges?limit=50&status=InTheWorks&theme=Justice", 2),
        ("search q (English, Khmer)", i => $"/api/pledges?limit=50&q={(i % 2 == 0 ? ImportFile.SearchWord : Uri.EscapeDataString("យុត្តិធម៌"))}", 3),
        ("tallies", _ => "/api/tallies", 0),
        ("12-year monthly series", _ => "/api/tallies/series?from=2013-01&to=2024-12&interval=month", 0),
    };
    double? currentP99 = null;
    foreach (var (name, url, goal) in reads)
    {
        var (p50, p99) = await Latency.MeasureAsync(client, url, requests);
        currentP99 ??= p99;
        var note = goal > 0 ? $"p99 {p99 / currentP99:F2}x current (goal <= {goal}x)" : "";
        if (name.StartsWith("current", StringComparison.Ordinal))
        {
            pages[inStore] = p99;
            if (pages.Count > 1) note = $"p99 {p99 / pages.First().Value:F2}x at {pages.First().Key:N0} events (goal <= 1.5x)";
        }
        results.Add(($"  {name}", $"{p50:F1} / {p99:F1}", note));
    }
    var rssBefore = commitmentsPid > 0 ? Rss.MegabytesOf(commitmentsPid) : 0;
    var ((exportP50, exportP99), peak) = commitmentsPid > 0
        ? await Rss.PeakDuringAsync(commitmentsPid, () => Latency.MeasureAsync(client, _ => "/api/export/events.ndjson", exportRequests, warmUp: 1))
        : (await Latency.MeasureAsync(client, _ => "/api/export/events.ndjson", exportRequests, warmUp: 1), 0);
    results.Add(("  full events.ndjson export", $"{exportP50:F0} / {exportP99:F0}",
        $"{exportRequests} requests; RSS {rssBefore} MB before, peak {peak} MB (+{peak - rssBefore} MB, goal <= 100)"));
    if (commitmentsPid > 0)
        results.Add(("  commitments RSS after the reads, MB", Rss.MegabytesOf(commitmentsPid).ToString(CultureInfo.InvariantCulture), "goal <= 250"));
}
// The import writes with Import:Writers connections (3 by default): pgbench with as many clients
// is the like-for-like rate; with one client and with the append clients for reference.
var writers = options.Int("import-writers", 3);
foreach (var pgClients in new[] { writers, 1, clients }.Distinct())
{
    var pgbench = await PgBench.RunAsync(options["pgbench"], options.Int("pg-port", 5432), options["database"], pgClients, seconds);
    results.Add(($"import events/s vs pgbench, {pgClients} client(s)", importRate.ToString("F0", CultureInfo.InvariantCulture),
        $"{importRate / pgbench:F2} of pgbench's {pgbench:F0} single-row inserts/s" + (pgClients == writers ? " (goal >= 0.30)" : "")));
}

return Report(results);

static int Report(List<(string Measure, string Value, string Note)> results)
{
    Console.WriteLine();
    Console.WriteLine($"| {"measure",-48} | {"value",10} | note");
    Console.WriteLine($"|{new string('-', 50)}|{new string('-', 12)}|{new string('-', 50)}");
    foreach (var (measure, value, note) in results) Console.WriteLine($"| {measure,-48} | {value,10} | {note}");
    return 0;
}

internal sealed class Args(Dictionary<string, string> values)
{
    public string this[string key] => values.TryGetValue(key, out var v) ? v : throw new ArgumentException($"--{key} is required");
    public string Text(string key, string fallback) => values.GetValueOrDefault(key, fallback);
    public int Int(string key, int fallback) => values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static Args Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2) values[args[i].TrimStart('-')] = args[i + 1];
        return new Args(values);
    }
}

internal static class Appends
{
    /// <summary>
    /// Each client owns a pledge and appends milestones to it with If-Match, so there are no append
    /// conflicts. After PledgeLength events it moves on to a new pledge (registering is not counted
    /// as an append, its time is): real pledges have tens of milestones, not thousands, and the
    /// filled store of (b) has pledges of 100 events too.
    /// </summary>
    public const int PledgeLength = 100;

    public static async Task<(double PerSecond, int Failures)> RunAsync(string label, Func<HttpClient> connect, int clients, int seconds)
    {
        var (perSecond, ok, failed) = await ClientLoad.RunAsync(clients, seconds, async (_, running, count) =>
        {
            using var http = connect();
            while (running())
            {
                var id = await RegisterAsync(http, label);
                for (long version = 1; version < PledgeLength && running();)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/milestones")
                    {
                        Content = JsonContent.Create(new { title = "Milestone", occurredOn = "2019-12", evidence = new[] { new { title = "Report" } } }),
                    };
                    request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
                    using var response = await http.SendAsync(request);
                    count(response.StatusCode == HttpStatusCode.OK);
                    if (response.StatusCode == HttpStatusCode.OK) version++;
                }
            }
        });
        Console.WriteLine($"{label}: {ok} appends, {perSecond:F0}/s");
        return (perSecond, failed);
    }

    private static async Task<string> RegisterAsync(HttpClient http, string label)
    {
        var id = $"bench-{label.Replace(' ', '-')}-{Guid.NewGuid():N}"[..40];
        var registered = await http.PostAsJsonAsync("/api/pledges", new
        {
            id,
            title = "Bench pledge",
            quote = "A pledge for the bench",
            actor = "Bench",
            country = "KH",
            madeOn = "2015-02",
            source = new { title = "Bench", publisher = "Bench" },
        });
        if (!registered.IsSuccessStatusCode)
            throw new InvalidOperationException($"{label}: registering gave {(int)registered.StatusCode}: {await registered.Content.ReadAsStringAsync()}");
        return id;
    }
}

internal static partial class PgBench
{
    public static async Task<double> RunAsync(string pgbench, int port, string database, int clients, int seconds)
    {
        var script = Path.Combine(Path.GetTempPath(), $"r2p-bench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script,
            $"insert into {Floor.Table} (stream_id, data) values ('bench-' || :client_id, '{{\"title\":\"Milestone\",\"occurredOn\":\"2019-12\"}}');\n");
        var psql = Path.Combine(Path.GetDirectoryName(pgbench)!, "psql");
        await RunAsync(psql, $"-h 127.0.0.1 -p {port} -U postgres -d {database} -qc \"{Floor.CreateTable}\"");
        var output = await RunAsync(pgbench, $"-h 127.0.0.1 -p {port} -U postgres -n -c {clients} -j 2 -T {seconds} -f {script} {database}");
        File.Delete(script);
        var match = Tps().Match(output);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException(output);
    }

    private static async Task<string> RunAsync(string file, string arguments)
    {
        var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments}: {stderr}");
        return stdout + stderr;
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}

internal sealed class FreshInternalToken(Microsoft.IdentityModel.Tokens.SymmetricSecurityKey key) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            InternalAuth.IssueToken(key, "Bench Admin", "admin", DateTimeOffset.UtcNow));
        return base.SendAsync(request, ct);
    }
}
