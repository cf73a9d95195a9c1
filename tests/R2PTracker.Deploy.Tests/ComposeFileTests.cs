using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>
/// deploy/docker/compose.yaml, validated and normalised by Debian's docker-compose (`config`; no
/// container engine runs here), then checked against what the services need. A .env beside the
/// file is not read (an empty --env-file instead): the secrets come from the test.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string[] Services = ["commitments", "notifications", "gateway"];

    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["R2P_POSTGRES_PASSWORD"] = "pg-secret-for-the-test",
        ["R2P_RABBITMQ_PASSWORD"] = "mq-secret-for-the-test",
        ["R2P_POSTGRES_COMMITMENTS_PASSWORD"] = "pg-commitments-secret",
        ["R2P_POSTGRES_NOTIFICATIONS_PASSWORD"] = "pg-notifications-secret",
        ["R2P_POSTGRES_GATEWAY_PASSWORD"] = "pg-gateway-secret",
        ["R2P_RABBITMQ_COMMITMENTS_PASSWORD"] = "mq-commitments-secret",
        ["R2P_RABBITMQ_NOTIFICATIONS_PASSWORD"] = "mq-notifications-secret",
        ["R2P_RABBITMQ_GATEWAY_PASSWORD"] = "mq-gateway-secret",
        ["R2P_INTERNAL_SIGNING_KEY"] = "signing-key-for-the-test",
        ["R2P_LOG_SIGNING_KEY_FILE"] = "/tmp/log-signing-key-for-the-test",
    };

    /// <summary>Normalised once for the class with the test's secrets; the tests only read it.</summary>
    private static readonly Lazy<Task<Dictionary<object, object>>> Config = new(() => ConfigAsync(Secrets));

    private static async Task<Dictionary<object, object>> ConfigAsync(IReadOnlyDictionary<string, string> environment)
    {
        var noEnvFile = Path.GetTempFileName();
        try
        {
            return DeployFiles.Documents(await DeployFiles.RunAsync("docker-compose",
                ["--env-file", noEnvFile, "-f", DeployFiles.PathOf("deploy/docker/compose.yaml"), "config"], DeployFiles.Root, environment)).Single();
        }
        finally
        {
            File.Delete(noEnvFile);
        }
    }

    [Fact]
    public async Task Every_service_is_built_from_the_one_dockerfile_for_a_project_that_exists()
    {
        var services = (await Config.Value).At("services");
        foreach (var service in Services)
        {
            var build = services.At(service, "build");
            Path.GetFullPath(build.Text("context")!).ShouldBe(DeployFiles.Root);
            build.Text("dockerfile").ShouldBe("deploy/docker/Dockerfile");
            var project = $"services/{build.Text("args", "SERVICE")}/src/R2PTracker.{build.Text("args", "ASSEMBLY")}/R2PTracker.{build.Text("args", "ASSEMBLY")}.csproj";
            File.Exists(DeployFiles.PathOf(project)).ShouldBeTrue($"{service} builds {project}, which does not exist");
            project.ShouldContain($"services/{service}/");
            services.Text(service, "image").ShouldBe($"r2p-tracker/{service}:local");
        }
        // The seed runs the commitments image once.
        services.Text("seed", "image").ShouldBe("r2p-tracker/commitments:local");
        services.Items("seed", "command").ShouldBe(["seed"]);
    }

    [Fact]
    public async Task Every_setting_the_local_start_gives_a_service_reaches_it_in_compose_with_the_secrets_from_the_environment()
    {
        var services = (await Config.Value).At("services");
        foreach (var (setting, readers) in DeployFiles.LocalSettings())
        foreach (var service in readers)
            services.Text(service, "environment", setting).ShouldNotBeNullOrEmpty($"{service} does not get {setting}");

        // Each service as its own role and broker user, with its own passwords.
        foreach (var service in Services)
        {
            var environment = services.At(service, "environment");
            environment.Text("ConnectionStrings__Postgres")!.ShouldContain($"Username=r2p_{service};Password=pg-{service}-secret");
            environment.Text("ConnectionStrings__RabbitMq")!.ShouldContain($"r2p-{service}:mq-{service}-secret@rabbitmq:5672");
            services.Text("postgres", "environment", $"R2P_POSTGRES_{service.ToUpperInvariant()}_PASSWORD").ShouldBe($"pg-{service}-secret");
            services.Text("rabbitmq", "environment", $"R2P_RABBITMQ_{service.ToUpperInvariant()}_PASSWORD").ShouldBe($"mq-{service}-secret");
        }
        services.Text("commitments", "environment", "InternalAuth__SigningKey").ShouldBe("signing-key-for-the-test");
        services.Text("postgres", "environment", "POSTGRES_PASSWORD").ShouldBe("pg-secret-for-the-test");
        services.Text("rabbitmq", "environment", "RABBITMQ_DEFAULT_PASS").ShouldBe("mq-secret-for-the-test");
        services.Text("gateway", "environment", "ReverseProxy__Clusters__commitments__Destinations__primary__Address").ShouldBe("http://commitments:8080/");
        services.Text("notifications", "environment", "Email__SmtpHost").ShouldBe("maildev");
    }

    [Fact]
    public async Task No_service_gets_a_connection_or_a_key_up_sh_does_not_give_it_and_the_seed_gets_no_internal_key()
    {
        var services = (await Config.Value).At("services");
        static IEnumerable<string> Secrets(object? environment) =>
            ((environment as Dictionary<object, object>)?.Keys.Cast<string>() ?? []).Where(k => k.StartsWith("ConnectionStrings__") || k.StartsWith("InternalAuth__"));
        foreach (var service in Services)
            Secrets(services.At(service, "environment")).ShouldAllBe(k => DeployFiles.LocalSettingsFor(service).Contains(k), service);
        Secrets(services.At("seed", "environment")).Order().ShouldBe(["ConnectionStrings__Postgres", "ConnectionStrings__RabbitMq"]);
        services.Text("seed", "environment", "ConnectionStrings__Postgres")!.ShouldContain("Username=r2p_commitments;");
        // The servers' own accounts are not the services'.
        services.Text("postgres", "environment", "POSTGRES_USER").ShouldBe("postgres");
        services.Text("rabbitmq", "environment", "RABBITMQ_DEFAULT_USER").ShouldBe("r2p-admin");
    }

    [Fact]
    public async Task Only_the_gateway_is_published_and_the_services_behind_it_run_twice()
    {
        var services = (await Config.Value).At("services");
        services.Items("gateway", "ports").Single().Text("target").ShouldBe("8080");
        services.Items("gateway", "ports").Single().Text("published").ShouldBe("8080");
        // maildev's web UI shows every mail (with confirm and manage links): this host only.
        // (docker-compose writes a port bound to an address in the short form, "127.0.0.1:1080:1080/tcp".)
        services.Items("maildev", "ports").ShouldNotBeEmpty();
        services.Items("maildev", "ports").ShouldAllBe(p => (p as string ?? p.Text("host_ip") + ":").StartsWith("127.0.0.1:"));
        ((Dictionary<object, object>)services!).Keys.Cast<string>().Except(["gateway", "maildev"])
            .ShouldAllBe(name => services.At(name, "ports") == null);
        services.Text("commitments", "deploy", "replicas").ShouldBe("2");
        services.Text("notifications", "deploy", "replicas").ShouldBe("2");
    }

    [Fact]
    public async Task The_log_signing_key_is_mounted_into_commitments_alone_and_a_missing_one_stops_compose()
    {
        var config = await Config.Value;
        var services = config.At("services");
        services.Items("commitments", "secrets").Select(s => s as string ?? s.Text("source")).ShouldBe(["log-signing-key"]);
        services.Text("commitments", "environment", "Log__SigningKeyFile").ShouldBe("/run/secrets/log-signing-key");
        Path.GetFileName(config.Text("secrets", "log-signing-key", "file")).ShouldBe("log-signing-key-for-the-test");
        foreach (var other in ((Dictionary<object, object>)services!).Keys.Cast<string>().Where(n => n != "commitments"))
        {
            services.At(other, "secrets").ShouldBeNull($"{other} is given the log's key");
            ((services.At(other, "environment") as Dictionary<object, object>)?.Keys.Cast<string>() ?? [])
                .ShouldNotContain(k => k.StartsWith("Log__SigningKey"), $"{other} is told of the log's key");
        }
        var withoutKey = new Dictionary<string, string>(Secrets) { ["R2P_LOG_SIGNING_KEY_FILE"] = "" };
        (await Should.ThrowAsync<InvalidOperationException>(() => ConfigAsync(withoutKey))).Message.ShouldContain("R2P_LOG_SIGNING_KEY_FILE");
    }

    [Fact]
    public async Task A_missing_secret_stops_compose_with_its_name_rather_than_starting_without_it()
    {
        var withoutKey = new Dictionary<string, string>(Secrets) { ["R2P_INTERNAL_SIGNING_KEY"] = "" };
        var error = await Should.ThrowAsync<InvalidOperationException>(() => ConfigAsync(withoutKey));
        error.Message.ShouldContain("R2P_INTERNAL_SIGNING_KEY");
    }
}
