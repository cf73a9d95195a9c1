using System.Diagnostics;
using System.Text.RegularExpressions;
using R2PTracker.Testing;
using Shouldly;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace R2PTracker.Deploy.Tests;

/// <summary>What the deploy tests share: the repository, commands run to the end, YAML as plain objects.</summary>
internal static partial class DeployFiles
{
    public static string Root { get; } = TestEnvironment.RepositoryRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Runs a command to the end and returns its standard output; fails the test with its error output otherwise.</summary>
    public static async Task<string> RunAsync(
        string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 5 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stderr}\n{await stdout}");
        return await stdout;
    }

    /// <summary>Every YAML document in <paramref name="text"/> as dictionaries, lists and strings.</summary>
    public static List<Dictionary<object, object>> Documents(string text)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (deserializer.Deserialize(parser) is Dictionary<object, object> document) documents.Add(document);
        }
        return documents;
    }

    /// <summary>Follows a path of keys (and list indexes) into a YAML object; null where it leads nowhere.</summary>
    public static object? At(this object? node, params object[] path)
    {
        foreach (var step in path)
        {
            node = (node, step) switch
            {
                (Dictionary<object, object> map, string key) => map.GetValueOrDefault(key),
                (List<object> list, int index) when index < list.Count => list[index],
                _ => null,
            };
        }
        return node;
    }

    public static string? Text(this object? node, params object[] path) => node.At(path)?.ToString();

    public static IEnumerable<object> Items(this object? node, params object[] path) =>
        node.At(path) as List<object> ?? [];

    /// <summary>
    /// The settings that deploy/local/up.sh gives the services (the names with "__" in each service's
    /// env file, .local/SERVICE.env, and on its start_service line), each with the services that read it.
    /// A deployment elsewhere must give each of them to those services, and no other service any of them.
    /// Webhooks__AllowLoopback is left out on purpose: it lets local webhook receivers on loopback through
    /// the SSRF guard, which stays on in a deployment.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> LocalSettings()
    {
        var upScript = File.ReadAllText(PathOf("deploy/local/up.sh"));
        var files = EnvFile().Matches(upScript);
        string.Join(' ', files.Select(f => f.Groups[1].Value).Order()).ShouldBe("commitments gateway notifications",
            "deploy/local/up.sh no longer writes an env file per service as expected");
        var settings = new Dictionary<string, List<string>>();
        void Add(string setting, string service)
        {
            if (setting == "Webhooks__AllowLoopback") return;
            if (!settings.TryGetValue(setting, out var readers)) settings[setting] = readers = [];
            if (!readers.Contains(service)) readers.Add(service);
        }
        foreach (Match file in files)
        foreach (Match setting in SettingName().Matches(file.Groups[2].Value))
            Add(setting.Groups[1].Value, file.Groups[1].Value);
        // …and what one service alone is started with (start_service NAME PROJECT PORT SETTING=value…).
        foreach (Match start in StartService().Matches(upScript))
        foreach (Match setting in SettingName().Matches(start.Groups[2].Value))
            Add(setting.Groups[1].Value, start.Groups[1].Value);
        return settings.ToDictionary(s => s.Key, s => s.Value.ToArray());
    }

    /// <summary>The settings up.sh gives one service alone.</summary>
    public static IReadOnlyList<string> LocalSettingsOf(string service) =>
        LocalSettings().Where(s => s.Value is [var only] && only == service).Select(s => s.Key).ToList();

    /// <summary>Every setting up.sh gives <paramref name="service"/>, shared or not.</summary>
    public static IReadOnlyList<string> LocalSettingsFor(string service) =>
        LocalSettings().Where(s => s.Value.Contains(service)).Select(s => s.Key).ToList();

    [GeneratedRegex(@"cat > ""\$state/(\w+)\.env""\) <<ENV\n(.*?)\nENV\n", RegexOptions.Singleline)]
    private static partial Regex EnvFile();

    [GeneratedRegex(@"^start_service (\w+) \w+ \$\w+(.*)$", RegexOptions.Multiline)]
    private static partial Regex StartService();

    [GeneratedRegex(@"\b([A-Za-z]+(?:__[A-Za-z]+)+)=")]
    private static partial Regex SettingName();
}
