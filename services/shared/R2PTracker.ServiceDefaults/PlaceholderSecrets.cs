using Microsoft.Extensions.Configuration;
using Npgsql;

namespace R2PTracker.ServiceDefaults;

/// <summary>
/// The example secrets files ship with placeholders (change-me); a deployment that copied one and
/// forgot a value would otherwise run with a password anyone can read in the repository. Outside
/// Development a service refuses to start on such a value. Only the settings' names are reported,
/// never their values.
/// </summary>
public static class PlaceholderSecrets
{
    /// <summary>Values no real secret has. "guest" is not among them: it is RabbitMQ's own default, used by test brokers.</summary>
    public static readonly IReadOnlySet<string> Placeholders = new HashSet<string>(
        ["change-me", "changeme", "change_me", "password", "secret", "placeholder"], StringComparer.OrdinalIgnoreCase);

    public static bool IsPlaceholder(string? secret) => secret is not null && Placeholders.Contains(secret.Trim());

    /// <summary>The settings whose secret is a placeholder: the PostgreSQL and RabbitMQ passwords and the internal signing key.</summary>
    public static IReadOnlyList<string> Find(IConfiguration configuration)
    {
        var found = new List<string>();
        if (IsPlaceholder(PostgresPassword(configuration.GetConnectionString("Postgres")))) found.Add("ConnectionStrings:Postgres (its Password)");
        if (IsPlaceholder(AmqpPassword(configuration.GetConnectionString("RabbitMq")))) found.Add("ConnectionStrings:RabbitMq (the password in its URI)");
        if (IsPlaceholder(configuration["InternalAuth:SigningKey"])) found.Add("InternalAuth:SigningKey");
        return found;
    }

    public static void RefuseAny(IConfiguration configuration)
    {
        var found = Find(configuration);
        if (found.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to start outside Development: a placeholder secret from an example file in {string.Join(", ", found)}. " +
                "Set a real secret (through environment variables such as ConnectionStrings__Postgres or InternalAuth__SigningKey).");
        }
    }

    /// <summary>The password of an Npgsql connection string; null if there is none or the string does not parse (reported where it is used).</summary>
    public static string? PostgresPassword(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return null;
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The password of an amqp:// URI (user:password@host), unescaped; null if there is none.</summary>
    public static string? AmqpPassword(string? uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return null;
        var colon = parsed.UserInfo.IndexOf(':');
        return colon < 0 ? null : Uri.UnescapeDataString(parsed.UserInfo[(colon + 1)..]);
    }
}
