using Npgsql;
using R2PTracker.Gateway.Staff;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway;

public static class Configuration
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(InternalAuth.SigningKey(builder.Configuration));
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(builder.Configuration.RequiredConnectionString("Postgres")));
        builder.Services.AddSingleton<StaffStore>();
        builder.Services.AddHostedService<StaffSchemaInitializer>();
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        return builder;
    }

    public static void MapGateway(this WebApplication app)
    {
        app.UseMiddleware<StaffAuthentication>();
        app.MapReverseProxy();
    }
}

internal sealed class StaffSchemaInitializer(StaffStore store) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => store.EnsureSchemaAsync(ct);
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
