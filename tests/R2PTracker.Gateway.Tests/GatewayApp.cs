using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using R2PTracker.Gateway.Staff;
using R2PTracker.Testing;

[assembly: AssemblyFixture(typeof(R2PTracker.Gateway.Tests.GatewayApp))]

namespace R2PTracker.Gateway.Tests;

/// <summary>
/// The gateway host on the real PostgreSQL and RabbitMQ (virtual host "gateway-tests"). Its
/// backends point at a closed port: these tests stop at the gateway.
/// </summary>
public sealed class GatewayApp : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public string ConnectionString { get; private set; } = "";

    public const int SubscriptionsPerMinute = 3;

    public HttpClient Client(bool followRedirects = true) =>
        Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects, HandleCookies = true });

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await TestEnvironment.CreateDatabaseAsync("gateway");
        Environment.SetEnvironmentVariable("ConnectionStrings__Postgres", ConnectionString);
        Environment.SetEnvironmentVariable("ConnectionStrings__RabbitMq", TestEnvironment.RabbitMqFor("gateway-tests"));
        Environment.SetEnvironmentVariable("InternalAuth__SigningKey", TestEnvironment.SigningKey);
        Environment.SetEnvironmentVariable("ReverseProxy__Clusters__commitments__Destinations__primary__Address", "http://127.0.0.1:9/");
        Environment.SetEnvironmentVariable("ReverseProxy__Clusters__notifications__Destinations__primary__Address", "http://127.0.0.1:9/");
        Environment.SetEnvironmentVariable("RateLimits__SubscriptionsPerMinute", SubscriptionsPerMinute.ToString());
        Environment.SetEnvironmentVariable("RateLimits__FailedSignInsPerMinute", "1000");
        _factory = new WebApplicationFactory<Program>();
        _ = _factory.Server;
        await Staff.EnsureSchemaAsync();
    }

    public StaffStore Staff => Factory.Services.GetRequiredService<StaffStore>();

    public async Task<List<byte[]>> StoredHashesAsync()
    {
        var db = Factory.Services.GetRequiredService<NpgsqlDataSource>();
        await using var cmd = db.CreateCommand("SELECT token_hash FROM gateway.staff_tokens");
        await using var reader = await cmd.ExecuteReaderAsync();
        var hashes = new List<byte[]>();
        while (await reader.ReadAsync()) hashes.Add((byte[])reader[0]);
        return hashes;
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }
}
