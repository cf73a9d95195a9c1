using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using R2PTracker.Commitments.Export;
using R2PTracker.Commitments.Feeds;
using R2PTracker.Commitments.Forwarding;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Log;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AssessingProgress;
using R2PTracker.Commitments.Pledges.AssessingStatus;
using R2PTracker.Commitments.Pledges.AttachingEvidence;
using R2PTracker.Commitments.Pledges.BecomingOverdue;
using R2PTracker.Commitments.Pledges.CorrectingMilestone;
using R2PTracker.Commitments.Pledges.GettingHistory;
using R2PTracker.Commitments.Pledges.GettingPledges;
using R2PTracker.Commitments.Pledges.GettingStatusHistory;
using R2PTracker.Commitments.Pledges.GettingTallies;
using R2PTracker.Commitments.Pledges.GettingTimeline;
using R2PTracker.Commitments.Pledges.Importing;
using R2PTracker.Commitments.Pledges.LoggingMilestone;
using R2PTracker.Commitments.Pledges.Registering;
using R2PTracker.Commitments.Pledges.RetractingMilestone;
using R2PTracker.Commitments.Pledges.RevisingDetails;
using R2PTracker.Commitments.Pledges.SettingTargetDate;
using R2PTracker.Commitments.Pledges.Translating;
using R2PTracker.Commitments.Pledges.RightOfReply;
using R2PTracker.Commitments.Pledges.AssessingVerifiability;
using R2PTracker.Commitments.Pledges.ReviewingVerdicts;
using R2PTracker.Commitments.Recording;
using R2PTracker.Commitments.Submissions;
using R2PTracker.Commitments.Telemetry;
using R2PTracker.ServiceDefaults;
using Scalar.AspNetCore;
using Weasel.Core;

namespace R2PTracker.Commitments;

public static class Configuration
{
    public const string Schema = "commitments";
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <param name="withLog">False for the seed and import commands: the log is written by the service's daemon, not by them.</param>
    public static WebApplicationBuilder AddPledges(this WebApplicationBuilder builder, bool withLog = true)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddExceptionHandler<DomainExceptionHandler>();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        var log = builder.Configuration.GetSection(Log.LogOptions.Section).Get<Log.LogOptions>() ?? new Log.LogOptions();
        if (!withLog) log.Enabled = false;
        builder.Services.AddOptions<Log.LogOptions>().Bind(builder.Configuration.GetSection(Log.LogOptions.Section))
            .PostConfigure(o => o.Enabled &= withLog).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Log.LogOptions>, Log.LogOptionsValidation>();
        builder.Services.AddValidatedOptions<DaemonOptions>(DaemonOptions.Section);
        builder.Services.AddSingleton(sp => new AppendWakeup(sp.GetRequiredService<DaemonOptions>().MinimumWakeInterval));
        builder.Services.AddCommitmentsTelemetry();
        // Marten on the process's one data source (AddServiceDefaults).
        builder.Services.AddMarten(options => options.ConfigurePledges())
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .AddAsyncDaemon(DaemonMode.HotCold)
            .AddSubscriptionWithServices<IntegrationEventForwarder>(ServiceLifetime.Singleton);
        // Marten leaves a shard stopped for good on a progression conflict (as a failover can cause).
        builder.Services.AddHostedService<StoppedShardRecovery>();
        builder.Services.ConfigureMarten((sp, options) =>
        {
            // How soon the daemon notices new events bounds how soon subscribers, caches and live
            // dashboards hear of a change…
            var daemon = sp.GetRequiredService<DaemonOptions>();
            options.Projections.FastPollingTime = daemon.PollingInterval;
            options.Projections.SlowPollingTime = daemon.PollingInterval;
            // …and a commit of this process wakes it at once.
            var wakeup = sp.GetRequiredService<AppendWakeup>();
            options.Listeners.Add(wakeup);
            options.Projections.Wakeup = wakeup;
        });
        if (log.Enabled)
        {
            builder.Services.AddSingleton<Log.LogKeys>();
            builder.Services.AddSingleton<Log.LogWriter>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Log.LogWriter>());
        }

        builder.Services.AddHostedService<Pledges.ReadModel.ReadModelStartup>();
        // The log's tables exist even with the log off: history and exports read them.
        builder.Services.AddHostedService<Log.LogStartup>();
        builder.Services.AddOpenApi();
        builder.Services.AddPledgeImport();
        builder.Services.AddValidatedOptions<OverdueOptions>(OverdueOptions.Section);
        builder.Services.AddValidatedOptions<ReviewOptions>(ReviewOptions.Section);
        builder.Services.AddSingleton<OverdueMonitor>();
        builder.Services.AddSingleton<ExportDigests>();
        builder.Services.AddValidatedOptions<PublicLinksOptions>("");
        builder.Services.AddSingleton<PublicLinks>();
        // Registered whether enabled or not: the monitor reads Overdue:Enabled itself, once its settings are validated.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OverdueMonitor>());
        builder.AddSubmissions(withDaemon: withLog);
        return builder;
    }

    public static void ConfigurePledges(this StoreOptions options)
    {
        options.DatabaseSchemaName = Schema;
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        options.Events.StreamIdentity = StreamIdentity.AsString;
        options.Events.AppendMode = EventAppendMode.Rich;
        // The chain hash of each event is kept in its headers (see Recording/EventChain).
        options.Events.MetadataConfig.HeadersEnabled = true;
        options.Events.AddEventTypes(PledgeEventTypes.All);
        options.Projections.Snapshot<Pledge>(SnapshotLifecycle.Inline);
        options.Projections.Add(new Pledges.ReadModel.PledgeReadModelProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new OpenProposals(), ProjectionLifecycle.Inline);
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
    }

    /// <summary>The API description is public; the Scalar page to try it is for Development only.</summary>
    public static void MapApiDescription(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment()) app.MapScalarApiReference();
    }

    public static void MapPledges(this IEndpointRouteBuilder app)
    {
        app.MapGetPledges();
        app.MapGetTimeline();
        app.MapGetStatusHistory();
        app.MapRegisterPledge();
        app.MapLogMilestone();
        app.MapAssessStatus();
        app.MapAssessProgress();
        app.MapSetTargetDate();
        app.MapReviseDetails();
        app.MapCorrectMilestone();
        app.MapRetractMilestone();
        app.MapAttachEvidence();
        app.MapAddTranslation();
        app.MapRightOfReply();
        app.MapAssessVerifiability();
        app.MapVerdictReview();
        OpenProposals.MapOpenProposals(app);
        app.MapSubmissions();
        app.MapGetTallies();
        app.MapGetHistory();
        app.MapPledgeFeeds();
        app.MapOpenDataExport();
        app.MapImport();
        if (app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Log.LogOptions>>().Value.Enabled)
            app.MapTransparencyLog();
    }

    /// <summary>413 as problem details for a body over 64 KiB, or an endpoint's own limit (Kestrel enforces it too, for chunked bodies).</summary>
    public static void UseBodySizeLimit(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var max = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize
                      ?? MaxRequestBodyBytes;
            if (http.Request.ContentLength > max)
            {
                await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
                    detail: $"A request body may be at most {max} bytes.").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
}
