using Marten;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Pledges;
using R2PTracker.Notifications.Security;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Subscriptions.Confirming;
using R2PTracker.Notifications.Subscriptions.Managing;
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
        var connectionString = builder.Configuration.PostgresConnectionString();
        builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = Schema;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.Schema.For<Subscription>().Duplicate(s => s.Status).Duplicate(s => s.Email!);
                options.Schema.For<PledgeProfile>();
                options.Schema.For<FannedOutEvent>();
                // The dispatcher's query: pending deliveries by due time.
                options.Schema.For<Delivery.Delivery>()
                    .Duplicate(d => d.Status).Duplicate(d => d.NextAttemptAt).Duplicate(d => d.SubscriptionId);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();

        var delivery = builder.Configuration.GetSection("Delivery").Get<DeliveryOptions>() ?? new DeliveryOptions();
        _ = delivery.Schedule(); // fail at start-up, not at the first failed delivery, on a bad schedule
        builder.Services.AddSingleton(delivery);
        builder.Services.AddSingleton(builder.Configuration.GetSection("Webhooks").Get<WebhookNetworkOptions>() ?? new WebhookNetworkOptions());
        builder.Services.AddSingleton(builder.Configuration.GetSection("Email").Get<EmailOptions>() ?? new EmailOptions());
        builder.Services.AddSingleton<UrlGuard>();

        builder.Services.AddHttpClient(WebhookSender.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                // A redirect could lead anywhere, including inside the network: never follow one.
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = services.GetRequiredService<UrlGuard>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = 32,
            });
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<EmailSender>();
        builder.Services.AddSingleton<DeliveryDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeliveryDispatcher>());
        builder.Services.AddSingleton<ActiveSubscriptions>();
        builder.Services.AddSingleton<FanOut>();

        builder.AddMessaging(bus =>
        {
            bus.AddConsumer<PledgeStatusChangedConsumer>(typeof(FanOutConsumerDefinition<PledgeStatusChangedConsumer>));
            bus.AddConsumer<MilestoneLoggedConsumer>(typeof(FanOutConsumerDefinition<MilestoneLoggedConsumer>));
            bus.AddConsumer<PledgeRegisteredConsumer>(typeof(FanOutConsumerDefinition<PledgeRegisteredConsumer>));
        });
        return builder;
    }

    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        app.MapSubscribe();
        app.MapManageSubscription();
        app.MapConfirmAndUnsubscribe();
    }
}
