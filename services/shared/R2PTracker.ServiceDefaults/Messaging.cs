using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace R2PTracker.ServiceDefaults;

public static class Messaging
{
    /// <summary>
    /// MassTransit on RabbitMQ (ConnectionStrings:RabbitMq, an amqp:// URI). The bus health check
    /// is tagged "ready" so /health/ready reports the broker.
    /// </summary>
    public static WebApplicationBuilder AddMessaging(
        this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var uri = new Uri(builder.Configuration.RequiredConnectionString("RabbitMq"));
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(uri);
                cfg.ConfigureEndpoints(context);
            });
            x.ConfigureHealthCheckOptions(o => o.Tags.Add(ServiceDefaultsExtensions.ReadyTag));
        });
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = false;
            o.StartTimeout = TimeSpan.FromSeconds(30);
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }
}
