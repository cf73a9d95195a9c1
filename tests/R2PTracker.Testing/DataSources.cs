using HealthChecks.NpgSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace R2PTracker.Testing;

/// <summary>Which <see cref="NpgsqlDataSource"/> a built host's parts use, to check that they share the one from DI.</summary>
public static class DataSources
{
    /// <summary>
    /// The data source the "postgres" health check opens its connections from, or null if it keeps
    /// a connection string (and so a pool of its own). The check keeps its options in a private
    /// field; the options type and its DataSource are the package's public API.
    /// </summary>
    public static NpgsqlDataSource? OfHealthCheck(IServiceProvider services)
    {
        var registration = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Single(r => r.Name == "postgres");
        var check = registration.Factory(services);
        var options = check.GetType()
            .GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
            .Single(f => f.FieldType == typeof(NpgSqlHealthCheckOptions))
            .GetValue(check) as NpgSqlHealthCheckOptions;
        return options?.DataSource;
    }
}
