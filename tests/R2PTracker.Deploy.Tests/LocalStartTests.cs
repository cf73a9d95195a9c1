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
                + "\"$(pg_bin)/psql\" -h 127.0.0.1 -p \"$port\" -U postgres -Atc \"select string_agg(name || '=' || setting, ' ' order by name) from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes')\"";
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

    [Fact]
    public void Up_sh_starts_its_PostgreSQL_durable_and_the_tests_and_benches_theirs_fast()
    {
        File.ReadAllLines(DeployFiles.PathOf("deploy/local/up.sh")).Where(l => l.TrimStart().StartsWith("pg_start ")).ShouldAllBe(l => !l.Contains(" fast"));
        foreach (var script in new[] { "tests/run.sh", "bench/run.sh" })
            File.ReadAllLines(DeployFiles.PathOf(script)).Where(l => l.TrimStart().StartsWith("pg_start ")).ShouldAllBe(l => l.TrimEnd().EndsWith(" fast"), script);
    }
}
