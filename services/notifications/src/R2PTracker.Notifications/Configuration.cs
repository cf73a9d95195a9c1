using Marten;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Hosting;
using R2PTracker.Notifications.Pledges;
using R2PTracker.Notifications.Security;
using R2PTracker.Notifications.Submissions;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Subscriptions.Confirming;
using R2PTracker.Notifications.Subscriptions.Managing;
using R2PTracker.Notifications.Subscriptions.Purging;
using R2PTracker.Notifications.Subscriptions.Subscribing;
using R2PTracker.Notifications.Webhooks;
using R2PTracker.ServiceDefaults;
using Weasel.Core;

namespace R2PTracker.Notifications;

public static class Configuration
{
    public const string Schema = "notifications";
    /// <summary>No request to notifications needs more: a subscription is a few hundred bytes.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        // Marten on the process's one data source (AddServiceDefaults), which the dispatcher's lease and the change check share.
        builder.Services.AddMarten(options =>
            {
                options.DatabaseSchemaName = Schema;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.Schema.For<Subscription>().Duplicate(s => s.Status).Duplicate(s => s.Email!)
                    .Duplicate(s => s.Host!).Duplicate(s => s.ClientKey!);
                options.Schema.For<PledgeProfile>();
                options.Schema.For<ConfirmationLedger>().Duplicate(l => l.LastSentAt);
                options.Schema.For<FannedOutEvent>();
                // The dispatcher's query: pending deliveries by due time.
                options.Schema.For<Delivery.Delivery>()
                    .Duplicate(d => d.Status).Duplicate(d => d.NextAttemptAt).Duplicate(d => d.SubscriptionId);
            })
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();

        builder.Services.AddValidatedOptions<DeliveryOptions>("Delivery");
        builder.Services.AddValidatedOptions<WebhookOptions>("Webhooks");
        builder.Services.AddValidatedOptions<EmailOptions>("Email");
        builder.Services.AddValidatedOptions<Subscriptions.ForwardedHeadersOptions>("ForwardedHeaders");

        builder.Services.AddSingleton<UrlGuard>();
        builder.Services.AddWebhookHttpClient();
        builder.Services.AddSingleton<WebhookVerifier>();
        builder.Services.AddSingleton<ClientAddress>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        builder.Services.AddSingleton<EmailSender>();
        builder.Services.AddSingleton<SubmitterMail>();
        builder.Services.AddSingleton<DeliveryLease>();
        builder.Services.AddSingleton<DeliveryDispatcher>();
        builder.Services.AddSingleton<Telemetry.NotificationsTelemetry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeliveryDispatcher>());
        builder.Services.AddSingleton<UnconfirmedPurge>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UnconfirmedPurge>());
        builder.Services.AddSingleton<ActiveSubscriptions>();
        builder.Services.AddSingleton<FanOut>();
        builder.Services.AddSingleton<PledgeProfiles>();
        builder.Services.AddOpenApi();

        builder.AddMessaging(bus =>
        {
            bus.AddConsumer<PledgeStatusChangedConsumer>(typeof(FanOutConsumerDefinition<PledgeStatusChangedConsumer>));
            bus.AddConsumer<MilestoneLoggedConsumer>(typeof(FanOutConsumerDefinition<MilestoneLoggedConsumer>));
            bus.AddConsumer<PledgeStatusProposedConsumer>(typeof(FanOutConsumerDefinition<PledgeStatusProposedConsumer>));
            bus.AddConsumer<PledgeRegisteredConsumer>(typeof(FanOutConsumerDefinition<PledgeRegisteredConsumer>));
            bus.AddConsumer<PledgeDetailsRevisedConsumer>(typeof(FanOutConsumerDefinition<PledgeDetailsRevisedConsumer>));
            bus.AddConsumer<PledgeTranslationAddedConsumer>(typeof(FanOutConsumerDefinition<PledgeTranslationAddedConsumer>));
            bus.AddConsumer<SubmissionReceivedConsumer>(typeof(FanOutConsumerDefinition<SubmissionReceivedConsumer>));
            bus.AddConsumer<SubmissionConfirmationRequestedConsumer>(typeof(FanOutConsumerDefinition<SubmissionConfirmationRequestedConsumer>));
            bus.AddConsumer<SubmissionModeratedConsumer>(typeof(FanOutConsumerDefinition<SubmissionModeratedConsumer>));
        });
        return builder;
    }

    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        app.MapSubscribe();
        app.MapManageSubscription();
        app.MapConfirmAndUnsubscribe();
        // On the internal port; the gateway publishes the routes it forwards (its /openapi/v1.json).
        app.MapOpenApi();
    }

    /// <summary>
    /// 413 as problem details for a body over the limit, before anything reads it (Kestrel enforces the
    /// same limit on bodies without a Content-Length, as they are read).
    /// </summary>
    public static void UseBodySizeLimit(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (http.Request.ContentLength > MaxRequestBodyBytes)
            {
                await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
                    detail: $"A request body may be at most {MaxRequestBodyBytes} bytes.").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
}
