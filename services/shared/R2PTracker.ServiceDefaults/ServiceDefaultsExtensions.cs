using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace R2PTracker.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>The checks a service needs to serve requests: its PostgreSQL (not RabbitMQ, see /health/serving).</summary>
    public const string ServingTag = "serving";

    /// <summary>Problem details, telemetry, health checks and JSON conventions shared by every service.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });

        if (!builder.Environment.IsDevelopment()) PlaceholderSecrets.RefuseAny(builder.Configuration);

        builder.AddTelemetry(serviceName);

        // One data source, so one connection pool, per process: Marten, the health check and the
        // services' own queries all take this one from DI.
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(builder.Configuration.PostgresConnectionString()));
        builder.Services.AddHealthChecks()
            .AddNpgSql(services => services.GetRequiredService<NpgsqlDataSource>(), name: "postgres", tags: [ReadyTag, ServingTag]);

        return builder;
    }

    /// <summary>Error handling as RFC 9457 problem details, and the three health endpoints.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseMetricsScraping();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // Live: the process answers. Ready: its PostgreSQL and RabbitMQ are reachable (fully started).
        // Serving: its PostgreSQL is reachable, which is all it needs to answer requests: while
        // RabbitMQ is down, writes are kept and forwarded later, so a load balancer (a Kubernetes
        // readiness probe) should keep sending traffic; /health/ready gates the start instead.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", StrictChecks(ReadyTag));
        app.MapHealthChecks("/health/serving", StrictChecks(ServingTag));
        return app;
    }

    private static HealthCheckOptions StrictChecks(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    /// <summary>
    /// The PostgreSQL connection string, with Npgsql's automatic preparation turned on unless the
    /// string says otherwise: a statement a service keeps sending is parsed and planned once per
    /// connection instead of on every call (it took a third off PostgreSQL's CPU per pledge write).
    /// </summary>
    public static string PostgresConnectionString(this IConfiguration configuration)
    {
        var builder = new NpgsqlConnectionStringBuilder(configuration.RequiredConnectionString("Postgres"));
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    public static string RequiredConnectionString(this IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Connection string '{name}' is not configured (ConnectionStrings__{name}).");
}
