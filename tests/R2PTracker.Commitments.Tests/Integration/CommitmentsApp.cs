using Marten;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using R2PTracker.Testing;

[assembly: AssemblyFixture(typeof(R2PTracker.Commitments.Tests.Integration.CommitmentsApp))]

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>
/// The commitments host on the real PostgreSQL (a database of its own) and RabbitMQ (virtual host
/// "commitments-tests") started by tests/run.sh. Shared by every test of this assembly.
/// </summary>
public sealed class CommitmentsApp : IAsyncLifetime
{
    public const string VirtualHost = "commitments-tests";
    private WebApplicationFactory<Program>? _factory;

    public string ConnectionString { get; private set; } = "";

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await TestEnvironment.CreateDatabaseAsync("commitments");
        // The host reads configuration while Program runs, so it is given as environment variables.
        Environment.SetEnvironmentVariable("ConnectionStrings__Postgres", ConnectionString);
        Environment.SetEnvironmentVariable("ConnectionStrings__RabbitMq", TestEnvironment.RabbitMqFor(VirtualHost));
        Environment.SetEnvironmentVariable("InternalAuth__SigningKey", TestEnvironment.SigningKey);
        Environment.SetEnvironmentVariable("Log__SigningKey", TestEnvironment.LogSigner.SignerKey);
        Environment.SetEnvironmentVariable("Log__Origin", TestEnvironment.LogOrigin);
        Environment.SetEnvironmentVariable("Log__WitnessKeys__0", TestEnvironment.WitnessSigner.CosignatureVerifierKey);
        // Test pledges have a past target date; the monitor is driven explicitly (OverdueTests) so
        // that it cannot append to another test's pledge behind its back.
        Environment.SetEnvironmentVariable("Overdue__Enabled", "false");
        // The tests of other things assess verdicts directly; ReviewTests run a host of their own with the default (1).
        Environment.SetEnvironmentVariable("Review__VerdictApprovals", "0");
        _factory = new WebApplicationFactory<Program>();
        _ = _factory.Server;
        await Task.CompletedTask;
    }

    private readonly SemaphoreSlim _seedLock = new(1, 1);

    /// <summary>Seeds the Cambodian pledges; serialised because test classes run in parallel on one database.</summary>
    public async Task<int> SeedAsync()
    {
        await _seedLock.WaitAsync();
        try
        {
            return await R2PTracker.Commitments.Seeding.Seeder.SeedAsync(Store, TimeProvider.System,
                Path.Combine(AppContext.BaseDirectory, "Seeding", "r2p-cambodia.json"));
        }
        finally
        {
            _seedLock.Release();
        }
    }

    public IDocumentStore Store => Factory.Services.GetRequiredService<IDocumentStore>();

    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>A client carrying, on each request, the internal JWT the gateway would mint for this staff member.</summary>
    public HttpClient Staff(string name = "Alice Editor", string role = "admin") => StaffOf(Factory, name, role);

    /// <inheritdoc cref="Staff"/>
    public static HttpClient StaffOf(WebApplicationFactory<Program> factory, string name = "Alice Editor", string role = "admin") =>
        factory.CreateDefaultClient(new FreshInternalToken(TestEnvironment.SigningKey, name, role));

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }
}
