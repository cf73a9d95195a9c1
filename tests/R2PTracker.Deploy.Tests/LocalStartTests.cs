using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>deploy/local/lib.sh, which up.sh, the tests and the benches start their servers with.</summary>
public class LocalStartTests
{
    /// <summary>Starts a PostgreSQL of its own with lib.sh's pg_start (and the given extra argument) and reads its settings.</summary>
    private static async Task<string> SettingsOfAPostgresStartedWith(string extra)
    {
        var dir = Directory.CreateTempSubdirectory("r2p-pgstart-");
        try
        {
            var script =
                // (As root, PostgreSQL runs as the postgres user, who must reach the data directory's parent.)
                $"set -e; chmod 755 '{dir.FullName}'; source deploy/local/lib.sh; port=$(free_port_block 1); "
                + $"pg_start '{dir.FullName}/pg' \"$port\" '{dir.FullName}/pg.log' {extra}; "
                + "trap \"pg_stop '" + dir.FullName + "/pg'\" EXIT; "
                + $"pg_psql '{dir.FullName}/pg' \"$port\" -d postgres -Atc \"select string_agg(name || '=' || setting, ' ' order by name) from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes')\"";
            return (await DeployFiles.RunAsync("bash", ["-c", script], DeployFiles.Root)).Trim();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task PostgreSQL_as_up_sh_starts_it_is_durable() =>
        (await SettingsOfAPostgresStartedWith("")).ShouldBe("fsync=on full_page_writes=on synchronous_commit=on");

    [Fact]
    public async Task Throwaway_servers_may_ask_for_the_fast_settings() =>
        (await SettingsOfAPostgresStartedWith("fast")).ShouldBe("fsync=off full_page_writes=off synchronous_commit=off");

    [Theory]
    [InlineData("$state/commitments.env")]
    [InlineData("$state/notifications.env")]
    [InlineData("$state/gateway.env")]
    [InlineData("$state/staff-token.tmp")]
    [InlineData("$state/internal-signing-key")]
    public void Up_sh_creates_each_secrets_file_under_umask_077_so_it_is_never_readable_by_others(string file)
    {
        var lines = File.ReadAllLines(DeployFiles.PathOf("deploy/local/up.sh"));
        var writes = lines.Select((line, i) => (line, i)).Where(x => x.line.Contains($"> \"{file}\"")).ToList();
        writes.ShouldNotBeEmpty(file);
        // The umask is set in the same subshell: on the line that writes, or on the one it continues.
        writes.ShouldAllBe(x => x.line.Contains("umask 077") || (x.i > 0 && lines[x.i - 1].Contains("umask 077") && lines[x.i - 1].TrimEnd().EndsWith('\\')), file);
    }

    [Fact]
    public void Up_sh_starts_its_PostgreSQL_durable_and_the_tests_and_benches_theirs_fast()
    {
        File.ReadAllLines(DeployFiles.PathOf("deploy/local/up.sh")).Where(l => l.TrimStart().StartsWith("pg_start ")).ShouldAllBe(l => !l.Contains(" fast"));
        foreach (var script in new[] { "tests/run.sh", "bench/run.sh" })
            File.ReadAllLines(DeployFiles.PathOf(script)).Where(l => l.TrimStart().StartsWith("pg_start ")).ShouldAllBe(l => l.TrimEnd().EndsWith(" fast"), script);
    }

    [Fact]
    public void Up_sh_gives_the_log_signing_key_to_commitments_alone_never_through_an_env_file()
    {
        DeployFiles.LocalSettingsOf("commitments").ShouldContain("Log__SigningKeyFile");
        DeployFiles.LocalSettings().Where(s => s.Key.StartsWith("Log__")).ShouldAllBe(s => s.Value.SequenceEqual(new[] { "commitments" }));
        var script = File.ReadAllText(DeployFiles.PathOf("deploy/local/up.sh"));
        foreach (var service in new[] { "commitments", "notifications", "gateway" })
        {
            var env = script[script.IndexOf($"cat > \"$state/{service}.env\") <<ENV", StringComparison.Ordinal)..];
            env[..env.IndexOf("\nENV\n", StringComparison.Ordinal)].ShouldNotContain("log-signing-key");
        }
    }
}
