namespace R2PTracker.AppHost;

public static class ResourceBuilderExtensions
{
    /// <summary>
    /// The service's HTTP endpoint ("http"): Aspire listens on <paramref name="port"/> (any free one when null)
    /// and forwards to the port it gives the service. Each service's appsettings.json names up.sh's port in
    /// Urls, which would win over the ASPNETCORE_URLS Aspire sets, so Urls is set to Aspire's port too.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceEndpoint(this IResourceBuilder<ProjectResource> project, int? port)
    {
        project.WithHttpEndpoint(port: port, name: "http");
        var endpoint = project.GetEndpoint("http");
        return project.WithEnvironment("Urls", ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
    }

    /// <summary>
    /// A service's settings as its environment, and its traces and metrics to the dashboard: Aspire gives
    /// each project the dashboard's OTLP address, and the services export over OTLP when Telemetry:Exporter
    /// says so (only then, so a run without a dashboard, as in the tests, exports nothing).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceSettings(this IResourceBuilder<ProjectResource> project, IReadOnlyDictionary<string, string> settings) =>
        project.WithEnvironment(context =>
        {
            foreach (var (name, value) in settings) context.EnvironmentVariables[name] = value;
            if (context.EnvironmentVariables.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT")) context.EnvironmentVariables["Telemetry__Exporter"] = "otlp";
        });
}
