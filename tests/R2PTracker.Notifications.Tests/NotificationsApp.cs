using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using R2PTracker.Contracts;
using R2PTracker.Testing;

[assembly: AssemblyFixture(typeof(R2PTracker.Notifications.Tests.NotificationsApp))]

namespace R2PTracker.Notifications.Tests;

/// <summary>
/// The notifications host on the real PostgreSQL and RabbitMQ (virtual host "notifications-tests")
/// and maildev, with retry delays shortened and loopback webhooks allowed (the receivers are local).
/// </summary>
public sealed class NotificationsApp : IAsyncLifetime
{
    public const string VirtualHost = "notifications-tests";
    /// <summary>The test schedule: 5 attempts, about 3 s from the first to the last.</summary>
    public const string RetryDelays = "00:00:00.2,00:00:00.4,00:00:00.8,00:00:01.6";
    public const int MaxAttempts = 5;
    public const string PublicBaseUrl = "http://gateway.example";
    public const string VerificationTimeout = "00:00:02";
    private LoopbackClientFactory? _factory;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__Postgres", await TestEnvironment.CreateDatabaseAsync("notifications"));
        Environment.SetEnvironmentVariable("ConnectionStrings__RabbitMq", TestEnvironment.RabbitMqFor(VirtualHost));
        Environment.SetEnvironmentVariable("Webhooks__AllowLoopback", "true");
        Environment.SetEnvironmentVariable("Delivery__RetryDelays", RetryDelays);
        Environment.SetEnvironmentVariable("Delivery__PollInterval", "00:00:00.100");
        Environment.SetEnvironmentVariable("Delivery__DisableAfter", "00:00:03");
        Environment.SetEnvironmentVariable("Email__SmtpHost", "127.0.0.1");
        Environment.SetEnvironmentVariable("Email__SmtpPort", MailDev.SmtpPort.ToString());
        Environment.SetEnvironmentVariable("Email__Security", "None");
        Environment.SetEnvironmentVariable("Email__PublicBaseUrl", PublicBaseUrl);
        Environment.SetEnvironmentVariable("Webhooks__VerificationTimeout", VerificationTimeout);
        // Every receiver of these tests listens on 127.0.0.1 and every request comes from one client;
        // the caps are tested on a host of their own with their own limits (WebhookCapTests).
        Environment.SetEnvironmentVariable("Webhooks__MaxPerHost", "100000");
        Environment.SetEnvironmentVariable("Webhooks__MaxPerClient", "100000");
        _factory = new LoopbackClientFactory();
        _ = _factory.Server;
        // Consumers must be bound before the tests publish.
        await Factory.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// A second host on the same database with some settings changed. It does not consume from the
    /// bus: a consumer of its own would take messages meant for the tests of the main host, and drop
    /// them mid-retry when it stops.
    /// </summary>
    public WebApplicationFactory<Program> Variant(Dictionary<string, string?> settings) => Factory.WithWebHostBuilder(builder =>
    {
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        builder.ConfigureTestServices(services => services.RemoveMassTransitHostedService());
    });

    public IBus Bus => Factory.Services.GetRequiredService<IBus>();

    public IDocumentStore Store => Factory.Services.GetRequiredService<IDocumentStore>();

    public HttpClient Client() => Factory.CreateClient();

    public HttpClient ManageClient(string manageToken)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", manageToken);
        return client;
    }

    public Task PublishAsync<T>(T e, CancellationToken ct) where T : class, IPledgeIntegrationEvent =>
        Bus.Publish(e, ctx => ctx.MessageId = e.EventId, ct);

    /// <summary>Subscribes and returns the whole answer (id, manageToken, secret, …).</summary>
    public async Task<Subscribed> SubscribeAsync(object request, CancellationToken ct)
    {
        var response = await Client().PostAsJsonAsync("/api/subscriptions", request, ct);
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
            throw new InvalidOperationException($"Subscribing answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return new Subscribed(body.GetProperty("id").GetGuid(), body.GetProperty("manageToken").GetString()!,
            body.TryGetProperty("secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null, body);
    }

    public Task<JsonElement> DeliveriesAsync(Subscribed s, CancellationToken ct) =>
        ManageClient(s.ManageToken).GetFromJsonAsync<JsonElement>($"/api/subscriptions/{s.Id}/deliveries", ct);

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }
}

/// <summary>
/// The host as Kestrel on loopback would see requests: from 127.0.0.1 (the in-memory test server sets
/// no peer address), so an X-Forwarded-For header is believed as it is from a gateway on the same host.
/// </summary>
public class LoopbackClientFactory : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, LoopbackPeer>());

    private sealed class LoopbackPeer : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                http.Connection.RemoteIpAddress ??= System.Net.IPAddress.Loopback;
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}

public sealed record Subscribed(Guid Id, string ManageToken, string? Secret, JsonElement Body);

public static class Events
{
    public static string NewPledgeId() => "p-" + Guid.NewGuid().ToString("N")[..8];

    public static PledgeStatusChanged StatusChanged(string pledgeId, string status = "Kept") => new(
        Guid.NewGuid(), pledgeId, 2, "2016", DateTimeOffset.UtcNow, "Alice", "NotYetRated", status,
        "Focal point appointed in 2016", [new EvidenceLink("CICP report", "https://cicp.org.kh", null)]);

    public static PledgeRegistered Registered(string pledgeId, string actor, string country) => new(
        Guid.NewGuid(), pledgeId, 1, "2015-02-26", DateTimeOffset.UtcNow, "Alice", "A pledge", actor, country, "NotYetRated");

    public static PledgeDetailsRevised ActorRevised(string pledgeId, string actor, long version = 2) => new(
        Guid.NewGuid(), pledgeId, version, "2016", DateTimeOffset.UtcNow, "Alice", null, null, actor, null, "The actor was misnamed");

    public static PledgeDetailsRevised TitleRevised(string pledgeId, string title, long version = 2) => new(
        Guid.NewGuid(), pledgeId, version, "2016", DateTimeOffset.UtcNow, "Alice", title, null, null, null, "A clearer title");

    public static PledgeTranslationAdded TitleTranslated(string pledgeId, string language, string text, string original, long version = 2) => new(
        Guid.NewGuid(), pledgeId, version, "2026-12-01", DateTimeOffset.UtcNow, "Alice", "title", language, text, original, "Sok Dara", "unofficial");

    public static MilestoneLogged Milestone(string pledgeId) => new(
        Guid.NewGuid(), pledgeId, 3, "2019-12", DateTimeOffset.UtcNow, "Alice", "m-1", "Outreach", "December 2019 outreach", []);
}
