using Npgsql;

namespace R2PTracker.Testing;

/// <summary>
/// The real servers that tests/run.sh starts for a test run, described by environment variables:
/// R2P_TEST_POSTGRES (a connection string without a database) and R2P_TEST_RABBITMQ (an amqp://
/// URI without a virtual host). Each test assembly gets a database and a virtual host of its own.
/// </summary>
public static class TestEnvironment
{
    public static string PostgresServer => Required("R2P_TEST_POSTGRES");

    public static string RabbitMqServer => Required("R2P_TEST_RABBITMQ").TrimEnd('/');

    public static string RabbitMqFor(string virtualHost) => $"{RabbitMqServer}/{virtualHost}";

    /// <summary>
    /// The broker as one service's own user (tests/run.sh makes one per service, with rights on the
    /// "e2e" virtual host alone, as up.sh does on its broker).
    /// </summary>
    public static string RabbitMqFor(string virtualHost, string service) =>
        $"{Required($"R2P_TEST_RABBITMQ_{service.ToUpperInvariant()}").TrimEnd('/')}/{virtualHost}";

    /// <summary>A fixed HMAC key for the services under test (test-only, never deployed).</summary>
    public const string SigningKey = "test-signing-key-not-for-production-0123456789";

    /// <summary>The transparency log's origin in tests, which also names its key.</summary>
    public const string LogOrigin = "r2p-tracker.test/log";

    /// <summary>A signer key for the log, made for this test run (so no key is committed).</summary>
    public static R2PTracker.TransparencyLog.NoteSigner LogSigner { get; } = R2PTracker.TransparencyLog.NoteSigner.Generate(LogOrigin);

    /// <summary>A witness's key, made for this test run; the services under test accept its cosignatures.</summary>
    public static R2PTracker.TransparencyLog.NoteSigner WitnessSigner { get; } = R2PTracker.TransparencyLog.NoteSigner.Generate("witness.r2p-tracker.test");

    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
        await using (var connection = new NpgsqlConnection(PostgresServer + ";Database=postgres"))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        return $"{PostgresServer};Database={name}";
    }

    /// <summary>
    /// A role per service in <paramref name="database"/>, each owning its schema and reaching no other,
    /// made by deploy/k8s/service-roles.sql as up.sh makes them (the roles are named after the
    /// database, as roles belong to the whole server). Returns each service's connection string.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> ServiceRolesAsync(string connectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(connectionString);
        string[] services = ["commitments", "notifications", "gateway"];
        var passwords = services.ToDictionary(s => s, _ => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant());
        var script = new System.Text.StringBuilder()
            .Append($"\\set db {server.Database}\n\\set prefix {server.Database}\n");
        foreach (var service in services) script.Append($"\\set pw_{service} {passwords[service]}\n");
        script.Append(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "k8s", "service-roles.sql")));

        var psql = Path.Combine(await PostgresBinariesAsync(), "psql");
        var start = new System.Diagnostics.ProcessStartInfo(psql)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-h", server.Host!, "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", server.Username!, "-d", server.Database!, "-qX", "-f", "-" })
            start.ArgumentList.Add(argument);
        if (server.Password is { Length: > 0 } password) start.Environment["PGPASSWORD"] = password;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.StandardInput.WriteAsync(script.ToString());
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"service-roles.sql failed: {await stderr}{await stdout}");

        return services.ToDictionary(s => s, s => new NpgsqlConnectionStringBuilder
        {
            Host = server.Host, Port = server.Port, Database = server.Database,
            Username = $"{server.Database}_{s}", Password = passwords[s], MaxPoolSize = 50,
        }.ConnectionString);
    }

    /// <summary>The PostgreSQL binaries' directory, as deploy/local/lib.sh finds it.</summary>
    public static async Task<string> PostgresBinariesAsync()
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "-c", $"source '{Path.Combine(RepositoryRoot(), "deploy", "local", "lib.sh")}' && pg_bin" }) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Integration tests need the servers that tests/run.sh starts: run 'bash tests/run.sh'.");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "R2PTracker.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("R2PTracker.sln not found above " + AppContext.BaseDirectory);
    }

    public static async Task<T> Eventually<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            await Task.Delay(100);
        }
    }
}
