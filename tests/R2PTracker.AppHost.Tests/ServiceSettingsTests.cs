using Microsoft.Extensions.Configuration;
using Shouldly;

namespace R2PTracker.AppHost.Tests;

/// <summary>Where the AppHost takes each service's settings from when no test hands them in: the files up.sh writes.</summary>
public sealed class ServiceSettingsTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("r2p-apphost-state-");

    private ServiceSettings Load() => ServiceSettings.Load(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["R2P:State"] = _state.FullName }).Build(),
        repositoryRoot: "/nowhere");

    [Fact]
    public void Without_the_files_up_sh_writes_the_AppHost_says_to_run_it_first()
    {
        File.WriteAllText(Path.Combine(_state.FullName, "gateway.env"), "Urls=x\n");

        var error = Should.Throw<MissingSettingsException>(Load);

        error.Message.ShouldContain("run deploy/local/up.sh first");
        error.Message.ShouldContain(Path.Combine(_state.FullName, "commitments.env"));
        error.Message.ShouldNotContain("gateway.env");
    }

    [Fact]
    public void Each_service_gets_the_settings_of_its_own_file_as_bash_reads_them()
    {
        File.WriteAllText(Path.Combine(_state.FullName, "commitments.env"),
            "ConnectionStrings__Postgres='Host=127.0.0.1;Password=a=b;c'\n# links in its feeds point at the gateway\nPublicBaseUrl='http://127.0.0.1:8080'\n");
        File.WriteAllText(Path.Combine(_state.FullName, "notifications.env"), "Email__SmtpPort=1025\n\nWebhooks__AllowLoopback=true\n");
        File.WriteAllText(Path.Combine(_state.FullName, "gateway.env"), "InternalAuth__SigningKey='k+/='\n");
        File.WriteAllText(Path.Combine(_state.FullName, "log-signing-key"), "PRIVATE+KEY+test\n");

        var settings = Load();

        settings.For("commitments")["ConnectionStrings__Postgres"].ShouldBe("Host=127.0.0.1;Password=a=b;c");
        settings.For("commitments")["PublicBaseUrl"].ShouldBe("http://127.0.0.1:8080");
        // up.sh passes the log's key to commitments alone, on its command line.
        settings.For("commitments")["Log__SigningKeyFile"].ShouldBe(Path.Combine(_state.FullName, "log-signing-key"));
        settings.For("notifications").ShouldBe(new Dictionary<string, string> { ["Email__SmtpPort"] = "1025", ["Webhooks__AllowLoopback"] = "true" });
        settings.For("gateway").ShouldBe(new Dictionary<string, string> { ["InternalAuth__SigningKey"] = "k+/=" });
    }

    public void Dispose() => _state.Delete(recursive: true);
}
