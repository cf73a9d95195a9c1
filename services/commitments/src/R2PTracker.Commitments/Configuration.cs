using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.AspNetCore.Diagnostics;
using R2PTracker.Commitments.Forwarding;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AssessingStatus;
using R2PTracker.Commitments.Pledges.GettingPledges;
using R2PTracker.Commitments.Pledges.GettingTimeline;
using R2PTracker.Commitments.Pledges.LoggingMilestone;
using R2PTracker.Commitments.Pledges.Registering;
using R2PTracker.ServiceDefaults;
using Weasel.Core;

namespace R2PTracker.Commitments;

public static class Configuration
{
    public const string Schema = "commitments";

    public static WebApplicationBuilder AddPledges(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddExceptionHandler<DomainExceptionHandler>();
        var connectionString = builder.Configuration.RequiredConnectionString("Postgres");

        builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.ConfigurePledges();
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .AddAsyncDaemon(DaemonMode.HotCold)
            .AddSubscriptionWithServices<IntegrationEventForwarder>(ServiceLifetime.Singleton);
        return builder;
    }

    public static void ConfigurePledges(this StoreOptions options)
    {
        options.DatabaseSchemaName = Schema;
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        options.Events.StreamIdentity = StreamIdentity.AsString;
        options.Events.AppendMode = EventAppendMode.Rich;
        options.Projections.Snapshot<Pledge>(SnapshotLifecycle.Inline);
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
    }

    public static void MapPledges(this IEndpointRouteBuilder app)
    {
        app.MapGetPledges();
        app.MapGetTimeline();
        app.MapRegisterPledge();
        app.MapLogMilestone();
        app.MapAssessStatus();
    }
}
