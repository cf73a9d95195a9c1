using R2PTracker.AppHost;

// Command 3 (README): the three services under Aspire, on the servers deploy/local/up.sh started.
var builder = DistributedApplication.CreateBuilder(args);

var root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", ".."));
ServiceSettings settings;
try
{
    settings = ServiceSettings.Load(builder.Configuration, root);
}
catch (MissingSettingsException missing)
{
    Console.Error.WriteLine(missing.Message);
    return 1;
}

// Ports of its own (up.sh's services hold 8080-8082 and may keep running: every service runs as several
// instances on one database and broker); 0 lets Aspire choose.
int? Port(string service, int fallback) =>
    (int.TryParse(builder.Configuration[$"R2P:Ports:{service}"], out var given) ? given : fallback) is var port and not 0 ? port : null;

var commitments = builder.AddProject<Projects.R2PTracker_Commitments>("commitments")
    .WithServiceEndpoint(Port("commitments", 18081))
    .WithServiceSettings(settings.For("commitments"))
    .WithHttpHealthCheck("/health/ready");

var notifications = builder.AddProject<Projects.R2PTracker_Notifications>("notifications")
    .WithServiceEndpoint(Port("notifications", 18082))
    .WithServiceSettings(settings.For("notifications"))
    .WithHttpHealthCheck("/health/ready");

var gateway = builder.AddProject<Projects.R2PTracker_Gateway>("gateway")
    .WithServiceEndpoint(Port("gateway", 18080))
    .WithServiceSettings(settings.For("gateway"))
    .WithHttpHealthCheck("/health/ready")
    .WithExternalHttpEndpoints();

// The addresses up.sh writes are its own services' (8080-8082): these instances point at each other.
var gatewayUrl = gateway.GetEndpoint("http");
commitments.WithEnvironment("PublicBaseUrl", gatewayUrl);
notifications.WithEnvironment("Email__PublicBaseUrl", gatewayUrl);
gateway
    .WithEnvironment("ReverseProxy__Clusters__commitments__Destinations__primary__Address", ReferenceExpression.Create($"{commitments.GetEndpoint("http")}/"))
    .WithEnvironment("ReverseProxy__Clusters__notifications__Destinations__primary__Address", ReferenceExpression.Create($"{notifications.GetEndpoint("http")}/"));

builder.Build().Run();
return 0;
