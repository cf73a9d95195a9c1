using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using R2PTracker.Testing;
using R2PTracker.TransparencyLog;

namespace R2PTracker.EndToEnd.Tests.Log;

/// <summary>
/// A commitments process of its own on a database of its own, for tests that tamper with the store (which
/// would spoil the shared deployment's log for every other test). Its broker is a virtual host of its own
/// too, so its events reach no other test's consumers.
/// </summary>
public sealed class LoggedTracker : IAsyncDisposable
{
    public const string VirtualHost = "e2e-log";
    private const string InternalKey = "logged-tracker-internal-key-0123456789abcdef";
    private ServiceProcess _process = null!;

    public string Url { get; private set; } = "";
    public string Database { get; private set; } = "";
    public string ConnectionString { get; private set; } = "";
    public Dictionary<string, string> Environment { get; private set; } = [];

    public static async Task<LoggedTracker> StartAsync()
    {
        var tracker = new LoggedTracker();
        tracker.ConnectionString = await TestEnvironment.CreateDatabaseAsync("log");
        tracker.Database = new NpgsqlConnectionStringBuilder(tracker.ConnectionString).Database!;
        tracker.Environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = tracker.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = TestEnvironment.RabbitMqFor(VirtualHost),
            ["InternalAuth__SigningKey"] = InternalKey,
            ["Log__SigningKey"] = TestEnvironment.LogSigner.SignerKey,
            ["Log__Origin"] = TestEnvironment.LogOrigin,
            ["Log__WitnessKeys__0"] = TestEnvironment.WitnessSigner.CosignatureVerifierKey,
            ["Overdue__Enabled"] = "false",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await tracker.StartProcessAsync();
        return tracker;
    }

    private async Task StartProcessAsync()
    {
        (_process, Url) = await ServiceProcess.StartOnFreePortAsync(ServiceProcess.DllPath("commitments", "R2PTracker.Commitments"), Environment);
    }

    /// <summary>Another instance on the same database and broker, as a scaled-out deployment runs it. The caller disposes it.</summary>
    public Task<(ServiceProcess Process, string Url)> AnotherInstanceAsync() =>
        ServiceProcess.StartOnFreePortAsync(ServiceProcess.DllPath("commitments", "R2PTracker.Commitments"), Environment);

    public Task KillAsync() => _process.KillAsync();

    public async Task RestartAsync()
    {
        await _process.DisposeAsync();
        await StartProcessAsync();
    }

    public Task StopAsync() => _process.DisposeAsync().AsTask();

    public Task StartAgainAsync() => StartProcessAsync();

    public HttpClient Anonymous() => new() { BaseAddress = new Uri(Url) };

    public HttpClient Staff() => ServiceProcess.InternalClient(Url, InternalKey, "Log Tester", "admin");

    /// <summary>Registers a pledge and changes its status <paramref name="changes"/> times; returns its id.</summary>
    public Task<string> PledgeAsync(int changes, CancellationToken ct) => PledgeAsync(Url, changes, ct);

    /// <summary>The same through a given instance.</summary>
    public async Task<string> PledgeAsync(string instanceUrl, int changes, CancellationToken ct)
    {
        var id = "log-" + Guid.NewGuid().ToString("N")[..10];
        using var staff = ServiceProcess.InternalClient(instanceUrl, InternalKey, "Log Tester", "admin");
        (await staff.PostAsJsonAsync("/api/pledges", Deployment.PledgeBody(id), ct)).EnsureSuccessStatusCode();
        for (var version = 1; version <= changes; version++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{id}/status")
            {
                Content = JsonContent.Create(new
                {
                    status = version % 2 == 1 ? "InTheWorks" : "Stalled", reason = $"Change {version}", occurredOn = "2023-09-16",
                    evidence = new[] { new { title = "CICP report", url = "https://cicp.org.kh/" } },
                }),
            };
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
            (await staff.SendAsync(request, ct)).EnsureSuccessStatusCode();
        }
        return id;
    }

    public async Task<long> ScalarAsync(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync() ?? 0L);
    }

    public async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until the signed checkpoint covers <paramref name="treeSize"/> events; returns it.</summary>
    public async Task<Checkpoint> CheckpointOfSizeAsync(long treeSize, CancellationToken ct)
    {
        using var http = Anonymous();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var response = await http.GetAsync("/api/log/checkpoint", ct);
            if (response.IsSuccessStatusCode)
            {
                var checkpoint = Checkpoint.Parse(SignedNote.Parse(await response.Content.ReadAsStringAsync(ct)).Text);
                if (checkpoint.TreeSize >= treeSize) return checkpoint;
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"The log did not reach {treeSize} entries in 20 s.\n{_process.Output}");
    }

    /// <summary>Recomputes a stream's chain hashes over its events as they are stored now (what a careful forger does).</summary>
    public async Task RechainAsync(string streamId)
    {
        var rows = new List<(long Version, Guid Id, string Type, DateTimeOffset At, string Data)>();
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "select version, id, type, timestamp, data::text from commitments.mt_events where stream_id = $1 order by version", connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = streamId });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4)));
        }
        var previous = R2PTracker.Commitments.Recording.EventHashing.Genesis;
        foreach (var row in rows)
        {
            previous = R2PTracker.Commitments.Recording.EventHashing.Hash(previous,
                R2PTracker.Commitments.Recording.EventHashing.Canonical(streamId, row.Version, row.Id, row.Type, row.At, row.Data));
            await ExecuteAsync("update commitments.mt_events set headers = jsonb_set(headers, '{hash}', to_jsonb($2::text)) where stream_id = $1 and version = $3",
                streamId, previous, row.Version);
        }
    }

    public Task<long> PledgeEventsAsync() =>
        ScalarAsync("select count(*) from commitments.mt_events where stream_id <> 'mt_tombstone'");

    /// <summary>Dumps the database with pg_dump (custom format) into <paramref name="file"/>.</summary>
    public async Task DumpAsync(string file) =>
        await RunAsync(Path.Combine(await TestEnvironment.PostgresBinariesAsync(), "pg_dump"), ["-Fc", "-f", file, Server(), "-d", Database]);

    /// <summary>Drops the database and restores it from a dump, as an operator restoring a backup would (the process is stopped meanwhile).</summary>
    public async Task RestoreAsync(string file)
    {
        await StopAsync();
        await using (var connection = new NpgsqlConnection(TestEnvironment.PostgresServer + ";Database=postgres"))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database \"{Database}\" with (force)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database \"{Database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        await RunAsync(Path.Combine(await TestEnvironment.PostgresBinariesAsync(), "pg_restore"), ["-d", Database, Server(), file]);
        await StartProcessAsync();
    }

    private static string Server()
    {
        var b = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresServer);
        return $"--host={b.Host}";
    }

    private static async Task<string> RunAsync(string file, IEnumerable<string> args)
    {
        var b = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresServer);
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PGPORT"] = b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = b.Username;
        if (b.Password is { Length: > 0 } password) start.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
    }
}

/// <summary>The command-line verifier (tools/R2PTracker.Verify) run as a process, as a monitor runs it.</summary>
public static class Verifier
{
    public static string DllPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(TestEnvironment.RepositoryRoot(), "tools", "R2PTracker.Verify", "bin", configuration, "net10.0", "r2p-verify.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first.", path);
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(DllPath());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>A witness with a state directory and a key of its own (the test run's witness key, which trackers under test accept).</summary>
public sealed class Witness : IDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("r2p-witness-");

    public Witness()
    {
        var key = Path.Combine(_home.FullName, "witness-key");
        File.WriteAllText(key, TestEnvironment.WitnessSigner.SignerKey + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        KeyFile = key;
        State = Path.Combine(_home.FullName, "state");
    }

    public string KeyFile { get; }
    public string State { get; }

    public Task<(int ExitCode, string Output)> RunAsync(string url, params string[] more) =>
        Verifier.RunAsync(["witness", url, "--state", State, "--key", TestEnvironment.LogSigner.VerifierKey, "--witness-key", KeyFile, .. more]);

    public void Dispose() => _home.Delete(recursive: true);
}
