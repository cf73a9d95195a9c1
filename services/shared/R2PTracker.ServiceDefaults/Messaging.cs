using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace R2PTracker.ServiceDefaults;

public static class Messaging
{
    /// <summary>
    /// MassTransit on RabbitMQ (ConnectionStrings:RabbitMq, an amqp:// URI, whose user, password and
    /// virtual host are used). RabbitMq:ClusterNodes (host:port, comma-separated) names every node of
    /// a cluster, so that the bus connects to another when the one it is on goes down. The bus health
    /// check is tagged "ready" so /health/ready reports the broker.
    /// </summary>
    public static WebApplicationBuilder AddMessaging(
        this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var uri = new Uri(builder.Configuration.RequiredConnectionString("RabbitMq"));
        var nodes = (builder.Configuration["RabbitMq:ClusterNodes"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(uri, h =>
                {
                    if (nodes.Length > 0) h.UseCluster(c => { foreach (var node in nodes) c.Node(node); });
                });
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

    /// <summary>
    /// Declares the endpoint's queue as a quorum queue: replicated over a majority of a cluster's
    /// nodes, so it and its messages outlive the loss of any one node (a classic queue lives on one
    /// node only). For every durable endpoint; a temporary (auto-delete, non-durable) one cannot be
    /// a quorum queue, and loses nothing worth keeping when its node goes. On another transport: nothing.
    /// </summary>
    public static void UseQuorumQueue(this IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
    }
}
