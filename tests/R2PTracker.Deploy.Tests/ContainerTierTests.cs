using System.Text.RegularExpressions;
using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>
/// What keeps tests/containers/run.sh (which builds the images and runs compose.yaml in podman) a test of
/// the files people deploy: its compose override changes the images and one webhook setting, nothing
/// else; and the Dockerfile it builds from still defaults to Microsoft's images for `docker build`.
/// </summary>
public sealed partial class ContainerTierTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["R2P_POSTGRES_PASSWORD"] = "pg-secret", ["R2P_RABBITMQ_PASSWORD"] = "mq-secret",
        ["R2P_POSTGRES_COMMITMENTS_PASSWORD"] = "a", ["R2P_POSTGRES_NOTIFICATIONS_PASSWORD"] = "b", ["R2P_POSTGRES_GATEWAY_PASSWORD"] = "c",
        ["R2P_RABBITMQ_COMMITMENTS_PASSWORD"] = "d", ["R2P_RABBITMQ_NOTIFICATIONS_PASSWORD"] = "e", ["R2P_RABBITMQ_GATEWAY_PASSWORD"] = "f",
        ["R2P_INTERNAL_SIGNING_KEY"] = "signing-key-for-the-test", ["R2P_LOG_SIGNING_KEY_FILE"] = "/tmp/log-signing-key-for-the-test",
        ["R2P_POSTGRES_IMAGE"] = "localhost/test/postgres:1", ["R2P_RABBITMQ_IMAGE"] = "localhost/test/rabbitmq:1",
        ["R2P_MAILDEV_IMAGE"] = "localhost/test/maildev:1", ["R2P_COMMITMENTS_IMAGE"] = "localhost/test/commitments:1",
        ["R2P_NOTIFICATIONS_IMAGE"] = "localhost/test/notifications:1", ["R2P_GATEWAY_IMAGE"] = "localhost/test/gateway:1",
    };

    private static async Task<Dictionary<object, object>> ConfigAsync(params string[] files)
    {
        var noEnvFile = Path.GetTempFileName();
        try
        {
            var arguments = new List<string> { "--env-file", noEnvFile };
            foreach (var file in files) arguments.AddRange(["-f", DeployFiles.PathOf(file)]);
            arguments.Add("config");
            return DeployFiles.Documents(await DeployFiles.RunAsync("docker-compose", arguments, DeployFiles.Root, Environment)).Single();
        }
        finally
        {
            File.Delete(noEnvFile);
        }
    }

    /// <summary>Every leaf of a YAML object as "path = value" (list items without their index: docker-compose reorders merged volumes).</summary>
    private static IEnumerable<string> Leaves(object? node, string path = "") => node switch
    {
        Dictionary<object, object> map => map.SelectMany(e => Leaves(e.Value, $"{path}/{e.Key}")),
        List<object> list => list.SelectMany(item => Leaves(item, $"{path}[]")),
        _ => [$"{path} = {node}"],
    };

    [Fact]
    public async Task The_podman_override_changes_only_the_images_and_the_private_network_webhook_setting()
    {
        var plain = Leaves(await ConfigAsync("deploy/docker/compose.yaml")).ToHashSet();
        var overridden = Leaves(await ConfigAsync("deploy/docker/compose.yaml", "tests/containers/compose.podman.yaml")).ToHashSet();

        var added = overridden.Except(plain).Order().ToList();
        var removed = plain.Except(overridden).Order().ToList();
        added.ShouldBe([
            "/services/commitments/image = localhost/test/commitments:1",
            "/services/gateway/image = localhost/test/gateway:1",
            "/services/maildev/image = localhost/test/maildev:1",
            "/services/notifications/environment/Webhooks__AllowPrivateNetworks = true",
            "/services/notifications/image = localhost/test/notifications:1",
            "/services/postgres/image = localhost/test/postgres:1",
            "/services/rabbitmq/image = localhost/test/rabbitmq:1",
            "/services/seed/image = localhost/test/commitments:1",
        ]);
        removed.ShouldAllBe(leaf => leaf.Contains("/image = "));
        removed.Count.ShouldBe(7);
    }

    [Fact]
    public void The_dockerfile_takes_its_base_images_as_arguments_that_default_to_microsofts()
    {
        var dockerfile = File.ReadAllText(DeployFiles.PathOf("deploy/docker/Dockerfile"));
        var defaults = GlobalArg().Matches(dockerfile).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var stages = From().Matches(dockerfile).Select(m => (Image: m.Groups[1].Value, Name: m.Groups[2].Value)).ToList();
        stages.Select(s => s.Name).ShouldBe(["build", "prebuilt", "runtime"]);
        // The last stage is what a build without --target (compose's) makes: the framework-dependent image.
        stages[^1].Image.ShouldBe("${RUNTIME_IMAGE}");
        foreach (var (image, name) in stages)
        {
            var argument = Regex.Match(image, @"^\$\{(\w+)\}$");
            argument.Success.ShouldBeTrue($"stage {name} is FROM {image}, not from a build argument");
            defaults.ShouldContainKey(argument.Groups[1].Value);
            defaults[argument.Groups[1].Value].ShouldStartWith("mcr.microsoft.com/dotnet/");
        }
        defaults["SDK_IMAGE"].ShouldBe("mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}");
        defaults["RUNTIME_IMAGE"].ShouldBe("mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}");
    }

    [Fact]
    public void The_prebuilt_stage_starts_the_self_contained_executable_that_run_sh_publishes()
    {
        var dockerfile = File.ReadAllText(DeployFiles.PathOf("deploy/docker/Dockerfile"));
        var prebuilt = dockerfile[dockerfile.IndexOf("AS prebuilt", StringComparison.Ordinal)..dockerfile.IndexOf("AS runtime", StringComparison.Ordinal)];
        prebuilt.ShouldContain("APP_DLL=R2PTracker.${ASSEMBLY}.dll");
        prebuilt.ShouldContain("\"exec \\\"/app/${APP_DLL%.dll}\\\" \\\"$@\\\"\"");
        prebuilt.ShouldNotContain("dotnet \"");
        var script = File.ReadAllText(DeployFiles.PathOf("tests/containers/run.sh"));
        script.ShouldContain("-r linux-x64 \\\n       --self-contained");
        script.ShouldContain("--target prebuilt");
    }

    [GeneratedRegex(@"^ARG (\w+)=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex GlobalArg();

    [GeneratedRegex(@"^FROM (\S+) AS (\w+)$", RegexOptions.Multiline)]
    private static partial Regex From();
}
