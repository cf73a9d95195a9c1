using Marten;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using R2PTracker.Testing;

[assembly: AssemblyFixture(typeof(R2PTracker.Notifications.Tests.NotificationsApp))]

namespace R2PTracker.Notifications.Tests;

/// <summary>The notifications host on the real PostgreSQL and RabbitMQ (virtual host "notifications-tests").</summary>
public sealed class NotificationsApp : IAsyncLifetime
{
    public const string VirtualHost = "notifications-tests";
    private WebApplicationFactory<Program>? _factory;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__Postgres", await TestEnvironment.CreateDatabaseAsync("notifications"));
        Environment.SetEnvironmentVariable("ConnectionStrings__RabbitMq", TestEnvironment.RabbitMqFor(VirtualHost));
        Environment.SetEnvironmentVariable("Webhooks__RetryBaseDelay", "00:00:00.100");
        _factory = new WebApplicationFactory<Program>();
        _ = _factory.Server;
        // Consumers must be bound before the tests publish.
        await Factory.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
    }

    public IBus Bus => Factory.Services.GetRequiredService<IBus>();

    public IDocumentStore Store => Factory.Services.GetRequiredService<IDocumentStore>();

    public HttpClient Client() => Factory.CreateClient();

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }
}
