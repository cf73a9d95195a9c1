using Microsoft.Extensions.Configuration;

namespace R2PTracker.AppHost;

/// <summary>
/// What each service is started with: the environment variables deploy/local/up.sh gives it (its own
/// PostgreSQL role and RabbitMQ user, the internal key where it is used, SMTP), so the AppHost runs on the
/// servers up.sh started without a second copy of any secret. They come from configuration when it holds a
/// section <c>R2P:Services:NAME</c> per service (a test hands them in that way; a key path such as
/// <c>ConnectionStrings:Postgres</c> becomes <c>ConnectionStrings__Postgres</c>), otherwise from the files
/// up.sh wrote, <c>.local/NAME.env</c>, read when the AppHost starts (nothing is copied into the repository).
/// </summary>
public sealed record ServiceSettings(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Services, string Source)
{
    public static readonly string[] Names = ["commitments", "notifications", "gateway"];

    public IReadOnlyDictionary<string, string> For(string service) => Services[service];

    public static ServiceSettings Load(IConfiguration configuration, string repositoryRoot)
    {
        var section = configuration.GetSection("R2P:Services");
        if (section.GetChildren().Any()) return FromConfiguration(section);

        var state = configuration["R2P:State"] is { Length: > 0 } given ? Path.GetFullPath(given, repositoryRoot) : Path.Combine(repositoryRoot, ".local");
        var missing = Names.Select(name => Path.Combine(state, name + ".env")).Where(file => !File.Exists(file)).ToList();
        if (missing.Count > 0)
        {
            throw new MissingSettingsException(
                $"The services' settings are not there ({string.Join(", ", missing)}): run deploy/local/up.sh first. " +
                "It starts PostgreSQL, RabbitMQ and maildev and writes .local/NAME.env, which the AppHost reads " +
                "(or hand every service's settings in as configuration, R2P:Services:NAME:SETTING).");
        }

        var services = Names.ToDictionary(name => name, name => (IReadOnlyDictionary<string, string>)EnvFile.Read(Path.Combine(state, name + ".env")));
        // up.sh gives commitments the transparency log's key on its command line rather than in its file.
        var logKey = Path.Combine(state, "log-signing-key");
        if (File.Exists(logKey))
        {
            services["commitments"] = new Dictionary<string, string>(services["commitments"])
            {
                ["Log__SigningKeyFile"] = logKey,
                ["Log__Origin"] = configuration["R2P:LogOrigin"] ?? "r2p-tracker.example/log",
            };
        }
        return new ServiceSettings(services, state);
    }

    private static ServiceSettings FromConfiguration(IConfigurationSection section)
    {
        var services = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var name in Names)
        {
            var service = section.GetSection(name);
            if (!service.GetChildren().Any())
                throw new MissingSettingsException($"R2P:Services has no settings for {name} (R2P:Services:{name}:SETTING); every service needs its own.");
            services[name] = service.AsEnumerable(makePathsRelative: true)
                .Where(pair => pair.Value is not null)
                .ToDictionary(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal), pair => pair.Value!);
        }
        return new ServiceSettings(services, "configuration (R2P:Services)");
    }
}

/// <summary>The AppHost cannot start the services: what to do is in the message (Program prints it alone).</summary>
public sealed class MissingSettingsException(string message) : Exception(message);
