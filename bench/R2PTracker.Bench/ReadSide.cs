using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace R2PTracker.Bench;

/// <summary>
/// Writes an import file (the line format of POST /api/import, see README "Import") of pledges
/// with 100 events each: a registration, milestones with evidence spread over the years after it,
/// and status assessments now and then, so that lists, filters, search, tallies and series have
/// something to tell apart. Deterministic for a seed; ids continue from <c>first</c>.
/// </summary>
internal static class ImportFile
{
    public const int EventsPerPledge = 100;

    public static readonly string[] Themes = ["Prevention", "Justice", "Education", "Early warning", "Focal point", "Refugees", "Women, peace and security", "Atrocity crimes"];
    public static readonly string[] Actors = ["Government of Cambodia", "Ministry of Interior", "Ministry of Justice", "Ministry of Education", "National Assembly", "Senate", "Cambodian National Council for Women", "Ministry of Foreign Affairs"];
    private static readonly string[] Statuses = ["InTheWorks", "Stalled", "InTheWorks", "Kept", "Compromise", "Broken"];

    /// <summary>Words that titles and milestones are made of; <see cref="SearchWord"/> is one of them.</summary>
    private static readonly string[] Words =
    [
        "training", "police", "judges", "curriculum", "genocide", "education", "museum", "archive", "tribunal", "reconciliation",
        "village", "province", "monitoring", "network", "report", "workshop", "dialogue", "youth", "women", "refugees",
        "border", "court", "law", "decree", "budget", "commune", "council", "teachers", "textbook", "memorial",
        "witness", "survivors", "radio", "mediation", "elections", "land", "forestry", "journalists", "prisons", "amnesty",
        "ការបណ្តុះបណ្តាល", "ប្រល័យពូជសាសន៍", "យុត្តិធម៌", "ការអប់រំ", "សន្តិភាព", "ការការពារ",
    ];

    public const string SearchWord = "reconciliation";

    public static (int Pledges, int Events) Write(string path, int first, int pledges)
    {
        var random = new Random(first);
        using var output = new StreamWriter(path, append: false, new UTF8Encoding(false));
        var lines = 0;
        for (var n = first; n < first + pledges; n++)
        {
            var id = $"bench-{n:D6}";
            var made = new DateOnly(2012, 1, 1).AddDays(random.Next(365 * 5));
            var target = made.AddYears(random.Next(3, 9));
            void Line(object fields) { output.WriteLine(JsonSerializer.Serialize(fields, JsonSerializerOptions.Web)); lines++; }
            Line(new
            {
                pledgeId = id, type = "PledgeRegistered", occurredOn = made.ToString("yyyy-MM", CultureInfo.InvariantCulture), recordedBy = "bench",
                title = $"Pledge {n}: {Phrase(random, 4)}",
                quote = $"We will {Phrase(random, 12)}.",
                actor = Actors[random.Next(Actors.Length)],
                theme = Themes[random.Next(Themes.Length)],
                country = "KH",
                targetDate = target.ToString("yyyy", CultureInfo.InvariantCulture),
                source = new { title = "Bench source", publisher = "Bench" },
            });
            // Milestones from the registration on, a month or so apart; a status now and then.
            var day = made;
            var status = "NotYetRated";
            for (var e = 1; e < EventsPerPledge; e++)
            {
                day = day.AddDays(random.Next(10, 40));
                var on = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (e % 25 == 0)
                {
                    var next = Statuses[random.Next(Statuses.Length)];
                    if (next == status) next = "InTheWorks" == status ? "Stalled" : "InTheWorks";
                    status = next;
                    Line(new
                    {
                        pledgeId = id, type = "StatusAssessed", occurredOn = on, recordedBy = "bench",
                        status, reason = $"Assessed: {Phrase(random, 6)}", evidence = new[] { new { title = $"Report on {Phrase(random, 3)}" } },
                    });
                }
                else
                {
                    Line(new
                    {
                        pledgeId = id, type = "MilestoneLogged", occurredOn = on, recordedBy = "bench", milestoneId = $"m{e}",
                        title = Phrase(random, 3), description = Phrase(random, 10),
                        evidence = new[] { new { title = $"Report on {Phrase(random, 3)}" } },
                    });
                }
            }
        }
        return (pledges, lines);
    }

    private static string Phrase(Random random, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));
}

internal static class Import
{
    /// <summary>
    /// Runs <c>R2PTracker.Commitments import FILE</c> (the same import as POST /api/import, in a
    /// process of its own, so the service's memory afterwards is its reads' and not the import's);
    /// its JSON answer and the time it took.
    /// </summary>
    public static async Task<(JsonElement Result, double Seconds)> RunAsync(string commitmentsDll, string path)
    {
        var start = new ProcessStartInfo("dotnet", ["R2PTracker.Commitments.dll", "import", path])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(commitmentsDll))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Overdue__Enabled"] = "false";
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"import exited {process.ExitCode}: {await stdout}\n{(await stderr)[^Math.Min((await stderr).Length, 3000)..]}");
        var json = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return (JsonDocument.Parse(json).RootElement.Clone(), seconds);
    }
}

internal static class Latency
{
    /// <summary>p50 and p99 in ms of <paramref name="requests"/> sequential GETs after a few unmeasured ones.</summary>
    public static async Task<(double P50, double P99)> MeasureAsync(HttpClient http, Func<int, string> url, int requests, int warmUp = 5)
    {
        var times = new List<double>(requests);
        for (var i = -warmUp; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(url(i), HttpCompletionOption.ResponseHeadersRead);
            await using (var body = await response.Content.ReadAsStreamAsync()) await body.CopyToAsync(Stream.Null);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url(i)} gave {(int)response.StatusCode}");
            if (i >= 0) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        return (Percentile(times, 0.50), Percentile(times, 0.99));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

/// <summary>Resident memory of a process, from /proc.</summary>
internal static class Rss
{
    public static long MegabytesOf(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        throw new InvalidOperationException($"no VmRSS for {pid}");
    }

    /// <summary>Runs <paramref name="work"/> and samples the process every 50 ms; the highest RSS seen.</summary>
    public static async Task<(T Result, long PeakMegabytes)> PeakDuringAsync<T>(int pid, Func<Task<T>> work)
    {
        var peak = MegabytesOf(pid);
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, MegabytesOf(pid));
                try { await Task.Delay(50, done.Token); } catch (OperationCanceledException) { }
            }
        });
        var result = await work();
        await done.CancelAsync();
        await sampler;
        return (result, Math.Max(peak, MegabytesOf(pid)));
    }
}
