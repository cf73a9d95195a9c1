using R2PTracker.Testing;

namespace R2PTracker.Gateway.Tests.ApiDescription;

/// <summary>
/// Commitments (with its transparency log) and notifications as processes on free ports, on a
/// database of their own and the "gateway-tests" virtual host: the backends whose own OpenAPI
/// documents the gateway publishes. They take no requests but for those documents. Their builds come
/// from the solution's (a project reference here would copy their appsettings.json over the gateway's).
/// </summary>
public sealed class RealBackends : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];

    public string CommitmentsUrl { get; private set; } = "";
    public string NotificationsUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var database = await TestEnvironment.CreateDatabaseAsync("apidoc");
        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database,
            ["ConnectionStrings__RabbitMq"] = TestEnvironment.RabbitMqFor("gateway-tests"),
            ["InternalAuth__SigningKey"] = TestEnvironment.SigningKey,
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        CommitmentsUrl = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        NotificationsUrl = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        // The log on, as deployed, so that its routes are mapped.
        _services.Add(ServiceProcess.Start(ServiceProcess.DllPath("commitments", "R2PTracker.Commitments"), new Dictionary<string, string>(common)
        {
            ["Urls"] = CommitmentsUrl,
            ["Log__SigningKey"] = TestEnvironment.LogSigner.SignerKey,
            ["Log__Origin"] = TestEnvironment.LogOrigin,
            ["Log__WitnessKeys__0"] = TestEnvironment.WitnessSigner.CosignatureVerifierKey,
        }));
        _services.Add(ServiceProcess.Start(ServiceProcess.DllPath("notifications", "R2PTracker.Notifications"),
            new Dictionary<string, string>(common) { ["Urls"] = NotificationsUrl }));
        foreach (var url in new[] { CommitmentsUrl, NotificationsUrl })
            await ServiceProcess.WaitReadyAsync(url, () => string.Join("\n----\n", _services.Select(s => s.Output)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
    }
}
