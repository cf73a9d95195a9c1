using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Marten;
using R2PTracker.Bench;
using R2PTracker.Commitments;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Recording;
using R2PTracker.ServiceDefaults;

// The commitments bench (not a test). bench/run.sh starts the servers and calls this with:
//   --commitments URL --gateway URL --admin-token TOKEN --signing-key KEY --postgres CONNSTRING
//   --pgbench PATH --pg-port PORT --database NAME [--seconds 10] [--clients 8] [--events 100000]
//   [--only appends|reads] [--floor URL]
// and, as a process of its own, with --serve-floor URL --postgres CONNSTRING (see Floor).
var options = Args.Parse(args);
if (options.Text("serve-floor", "") is { Length: > 0 } floorUrl)
{
    await Floor.ServeAsync(floorUrl, options["postgres"]);
    return 0;
}
var seconds = options.Int("seconds", 10);
var clients = options.Int("clients", 8);
var targetEvents = options.Int("events", 100_000);
var results = new List<(string Measure, string Value, string Note)>();
if (options.Text("only", "all") is not ("all" or "appends" or "reads"))
{
    Console.Error.WriteLine("--only takes appends or reads.");
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

// (b) as-of list vs current-state list with targetEvents events in the store.
// --only appends skips (b), for working on (a).
if (options.Text("only", "all") == "appends") return Report(results);
var store = DocumentStore.For(o => { o.Connection(options["postgres"]); o.ConfigurePledges(); });
var total = await Fill.UpToAsync(store, targetEvents);
results.Add(("events in the store", total.ToString(CultureInfo.InvariantCulture), ""));
var client = Direct();
var pledges = (await client.GetFromJsonAsync<List<object>>("/api/pledges"))!.Count;
var (current, _) = await Reads.MedianMsAsync(client, "/api/pledges");
// The first as-of read fills this instance's cache of streams (see StreamEventCache); later ones
// load only the events appended since.
var (asOfOccurred, firstAsOf) = await Reads.MedianMsAsync(client, "/api/pledges?asOf=2020-06-30");
var (asOfRecorded, _) = await Reads.MedianMsAsync(client, $"/api/pledges?asOf={DateTime.UtcNow:yyyy-MM-dd}&axis=recorded");
results.Add(("GET /api/pledges (current), median ms", current.ToString("F1", CultureInfo.InvariantCulture), $"{pledges} pledges"));
results.Add(("GET /api/pledges?asOf, first read, ms", firstAsOf.ToString("F1", CultureInfo.InvariantCulture),
    $"{firstAsOf / current:F1}x current (fills the cache)"));
results.Add(("GET /api/pledges?asOf (occurred), median ms", asOfOccurred.ToString("F1", CultureInfo.InvariantCulture),
    $"{asOfOccurred / current:F1}x current (goal <= 3x)"));
results.Add(("GET /api/pledges?asOf&axis=recorded, median ms", asOfRecorded.ToString("F1", CultureInfo.InvariantCulture),
    $"{asOfRecorded / current:F1}x current (goal <= 3x)"));

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

internal static class Fill
{
    /// <summary>Adds pledges of 100 events each (registered + 99 milestones, dates spread over 2015–2024) until the store holds enough.</summary>
    public static async Task<long> UpToAsync(IDocumentStore store, int target)
    {
        await using var query = store.QuerySession();
        var count = await query.Events.QueryAllRawEvents().CountAsync();
        var started = Stopwatch.GetTimestamp();
        var n = 0;
        while (count < target)
        {
            await using var session = store.LightweightSession();
            var id = $"bench-fill-{Guid.NewGuid():N}"[..32];
            var events = new List<object>
            {
                new PledgeRegistered(id, "Bench pledge", "A pledge for the bench", "Bench", "KH", "2015-02", null, "2020", null, null,
                    new SourceCitation("Bench", "Bench", null, null, null), "bench"),
            };
            for (var i = 1; i < 100; i++)
            {
                var date = new DateOnly(2015, 3, 1).AddDays(i * 35);
                events.Add(new MilestoneLogged(id, $"ms-{i}", $"Milestone {i}", "", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    [new Evidence("Report", null, null)], "bench"));
            }
            events.Add(new StatusAssessed(id, PledgeStatus.NotYetRated, PledgeStatus.InTheWorks, "Under way", [new Evidence("Report", null, null)], "2018", "bench"));
            session.Events.StartStream<Pledge>(id, (await EventChain.StampAsync(session, id, 0, events, TimeProvider.System, CancellationToken.None)).ToArray<object>());
            await session.SaveChangesAsync();
            count += events.Count;
            n++;
        }
        Console.WriteLine($"fill: {n} pledges added in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        return count;
    }
}

internal static class Reads
{
    /// <summary>The median of <paramref name="runs"/> reads after a first one, and how long that first one took.</summary>
    public static async Task<(double Median, double First)> MedianMsAsync(HttpClient http, string url, int runs = 7)
    {
        var first = Stopwatch.GetTimestamp();
        using (var warmUp = await http.GetAsync(url))
        {
            await warmUp.Content.ReadAsByteArrayAsync();
            warmUp.EnsureSuccessStatusCode();
        }
        var firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        return (times[runs / 2], firstMs);
    }
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
