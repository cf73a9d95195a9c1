using Marten;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Subscriptions.Subscribing;
using R2PTracker.ServiceDefaults;
using Weasel.Core;

namespace R2PTracker.Notifications;

public static class Configuration
{
    public const string Schema = "notifications";

    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        var connectionString = builder.Configuration.RequiredConnectionString("Postgres");
        builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = Schema;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.Schema.For<Subscription>();
                options.Schema.For<WebhookDelivery>().Index(d => d.EventId);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();

        var retry = builder.Configuration.GetSection("Webhooks");
        var attempts = retry.GetValue("RetryAttempts", 3);
        var baseDelay = retry.GetValue("RetryBaseDelay", TimeSpan.FromSeconds(1));
        builder.Services.AddHttpClient(WebhookSender.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddResilienceHandler("webhook", pipeline =>
            {
                pipeline.AddTimeout(TimeSpan.FromSeconds(30));
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = attempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = baseDelay,
                });
                pipeline.AddTimeout(TimeSpan.FromSeconds(5));
            });
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<FanOut>();

        builder.AddMessaging(bus =>
        {
            bus.AddConsumer<PledgeStatusChangedConsumer>(typeof(FanOutConsumerDefinition<PledgeStatusChangedConsumer>));
            bus.AddConsumer<MilestoneLoggedConsumer>(typeof(FanOutConsumerDefinition<MilestoneLoggedConsumer>));
            bus.AddConsumer<PledgeRegisteredConsumer>(typeof(FanOutConsumerDefinition<PledgeRegisteredConsumer>));
        });
        return builder;
    }

    public static void MapNotifications(this IEndpointRouteBuilder app) => app.MapSubscribe();
}
