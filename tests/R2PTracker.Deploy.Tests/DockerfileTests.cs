using System.Text.RegularExpressions;
using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>
/// deploy/docker/Dockerfile's build stage needs Microsoft's SDK image, which no registry here serves
/// (tests/containers/run.sh builds and runs the `prebuilt` target instead), so the build stage is
/// replayed outside a container: each COPY into an empty directory (minus what .dockerignore leaves out),
/// each RUN as written there. A project file, props file or asset the COPY lines miss fails the
/// restore or publish just as in `docker build`; and the published output must hold what the
/// runtime stage's ENV APP_DLL names, plus the service's assets.
/// </summary>
public sealed partial class DockerfileTests
{
    [Theory]
    [InlineData("commitments", "Commitments", "Seeding/r2p-cambodia.json")]
    [InlineData("notifications", "Notifications", "appsettings.json")]
    [InlineData("gateway", "Gateway", "wwwroot/app.js")]
    public async Task The_build_stage_publishes_the_service_from_only_what_it_copies(string service, string assembly, string asset)
    {
        var lines = Instructions(File.ReadAllText(DeployFiles.PathOf("deploy/docker/Dockerfile")));
        var buildStage = lines.SkipWhile(l => !l.StartsWith("FROM ")).Skip(1).TakeWhile(l => !l.StartsWith("FROM ")).ToList();
        var runtimeStage = lines.SkipWhile(l => !l.StartsWith("FROM ")).Skip(1).SkipWhile(l => !l.StartsWith("FROM ")).ToList();
        string Expand(string text) => text.Replace("${SERVICE}", service).Replace("${ASSEMBLY}", assembly);

        var work = Directory.CreateTempSubdirectory("r2p-dockerfile-");
        try
        {
            var src = Path.Combine(work.FullName, "src");
            var app = Path.Combine(work.FullName, "app");
            Directory.CreateDirectory(src);
            var ignored = DockerIgnore();
            foreach (var line in buildStage)
            {
                if (line.StartsWith("COPY "))
                {
                    var parts = Expand(line[5..]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var destination = Path.Combine(src, parts[^1].TrimStart('.', '/'));
                    foreach (var source in parts[..^1]) Copy(source, destination, ignored);
                }
                else if (line.StartsWith("RUN "))
                {
                    var command = Regex.Replace(Expand(line[4..]), @"(?<=\s)/app\b", app);
                    await DeployFiles.RunAsync("bash", ["-c", command], src, new Dictionary<string, string>
                    {
                        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                        ["MSBUILDDISABLENODEREUSE"] = "1",
                        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
                    });
                }
            }

            var dll = AppDll().Match(string.Join('\n', runtimeStage));
            dll.Success.ShouldBeTrue("the runtime stage sets no APP_DLL");
            File.Exists(Path.Combine(app, Expand(dll.Groups[1].Value))).ShouldBeTrue($"{Expand(dll.Groups[1].Value)} is not in the published output");
            File.Exists(Path.Combine(app, asset)).ShouldBeTrue($"{asset} is not in the published output");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Instructions with their continuation lines joined, comments and blank lines dropped.</summary>
    private static List<string> Instructions(string dockerfile) =>
        Regex.Replace(dockerfile, @"\\\n\s*", " ").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    /// <summary>The folder names .dockerignore leaves out of the build context (its "**/name" lines).</summary>
    private static HashSet<string> DockerIgnore() =>
        File.ReadAllLines(DeployFiles.PathOf(".dockerignore"))
            .Where(l => l.StartsWith("**/")).Select(l => l[3..].TrimEnd('/')).ToHashSet();

    /// <summary>COPY's rules for a source: a file or glob of files into the destination folder, a folder's contents into it; later copies overwrite.</summary>
    private static void Copy(string source, string destination, HashSet<string> ignored)
    {
        var full = DeployFiles.PathOf(source.TrimEnd('/'));
        if (Directory.Exists(full))
        {
            foreach (var file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(full, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(ignored.Contains)) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(destination, relative))!);
                File.Copy(file, Path.Combine(destination, relative), overwrite: true);
            }
            return;
        }
        var files = Directory.GetFiles(Path.GetDirectoryName(full)!, Path.GetFileName(full));
        files.ShouldNotBeEmpty($"COPY {source}: nothing there");
        Directory.CreateDirectory(destination);
        foreach (var file in files) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
    }

    [GeneratedRegex(@"APP_DLL=(\S+)")]
    private static partial Regex AppDll();
}
