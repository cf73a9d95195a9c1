using MassTransit;
using R2PTracker.Gateway.ApiDescription;
using R2PTracker.Gateway.Caching;
using R2PTracker.Gateway.Dashboard;
using R2PTracker.Gateway.Dashboard.Localisation;
using R2PTracker.Gateway.Live;
using R2PTracker.Gateway.Proxy;
using R2PTracker.Gateway.Security;
using R2PTracker.Gateway.Staff;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway;

public static class Configuration
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(InternalAuth.SigningKey(builder.Configuration));
        services.AddSingleton<StaffStore>();
        services.AddSingleton<SignInLimiter>();
        services.AddHostedService<StaffSchemaInitializer>();
        services.AddStaffSessions();
        SharedKeyRing.AddSharedKeyRing(services);
        services.AddTrustedProxies();
        services.AddTransportSecurity();
        builder.AddBodyLimits();
        services.AddClientRateLimits();
        services.AddPublicReadCache();
        services.AddLive();
        services.AddSingleton<Telemetry.GatewayTelemetry>();
        services.AddApiDescriptions();
        // A body that does not bind is a 400 in every environment (Development would throw it, a 500).
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddRazorComponents();
        services.AddDashboardLocalisation();
        services.AddRequestTimeouts();
        services.AddSettings<ProxyOptions>(ProxyOptions.Section);
        // An import answers only when it is done, minutes later for a large file: it has a cluster of
        // its own with a long idle timeout, whose destinations are always those of commitments.
        builder.Configuration.AddInMemoryCollection(builder.Configuration.GetSection("ReverseProxy:Clusters:commitments:Destinations")
            .GetChildren().Select(d => KeyValuePair.Create($"ReverseProxy:Clusters:commitments-imports:Destinations:{d.Key}:Address", d["Address"])));
        services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy")).AddTransforms<BackendCredentials>();
        services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, RetryingForwarderHttpClientFactory>();

        // The dashboard reads from the same commitments address that YARP forwards to.
        var commitments = builder.Configuration["ReverseProxy:Clusters:commitments:Destinations:primary:Address"]
                          ?? throw new InvalidOperationException("No commitments address configured.");
        services.AddHttpClient<CommitmentsClient>(c =>
        {
            c.BaseAddress = new Uri(commitments);
            c.Timeout = TimeSpan.FromSeconds(10);
        });

        builder.AddMessaging(bus =>
        {
            // A temporary queue per gateway instance: every instance hears every change.
            bus.AddConsumer<PledgeChangesConsumer>().Endpoint(e =>
            {
                e.Temporary = true;
                e.InstanceId = Guid.NewGuid().ToString("N")[..8];
            });
            bus.AddConsumer<LogCheckpointedConsumer>().Endpoint(e =>
            {
                e.Temporary = true;
                e.InstanceId = Guid.NewGuid().ToString("N")[..8];
            });
        });
        return builder;
    }

    /// <summary>Everything after the forwarded headers and the error handling (Program.cs).</summary>
    public static void MapGateway(this WebApplication app)
    {
        // Made now, so that its gauge of live streams is there from the start.
        app.Services.GetRequiredService<Telemetry.GatewayTelemetry>();
        app.UseBodyLimits();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        // Before the cache: its key holds the language the request was resolved to.
        app.UseRequestLocalization();
        app.UseOutputCache();
        app.UseMiddleware<StaffAuthentication>();
        app.MapDashboard();
        app.MapReviewQueue();
        app.MapLive();
        app.MapStaffAdmin();
        app.MapApiDescriptions();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ProxyErrors.WriteProblemOnFailure);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
    }
}

internal sealed class StaffSchemaInitializer(StaffStore store) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => store.EnsureSchemaAsync(ct);
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
