using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace R2PTracker.ServiceDefaults;

/// <summary>
/// Traces and metrics. <c>Telemetry:Exporter</c> (none | console | otlp, default none) turns tracing
/// on and says where spans and pushed metrics go; with none there is no tracer provider, so no
/// span is made anywhere (the services' own sources have no listener). <c>Telemetry:Prometheus</c>
/// says where the Prometheus scrape endpoint <c>/metrics</c> is: <c>on</c> (the default) on the
/// service's own addresses, <c>off</c>, or a URL such as <c>http://10.0.0.5:9464</c>: the service also
/// listens there and answers <c>/metrics</c> on that port alone (the gateway, whose own port is public).
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>The services' own activity sources and meters are named under this prefix.</summary>
    public const string Prefix = "R2PTracker.";

    /// <summary>The W3C trace context header (https://www.w3.org/TR/trace-context/).</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>Where /metrics is answered: on every port the service listens on (0) or on one alone.</summary>
    private sealed record ScrapeEndpoint(int Port);

    internal static void AddTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var exporter = builder.Configuration["Telemetry:Exporter"] is { Length: > 0 } e ? e : "none";
        if (exporter is not ("none" or "console" or "otlp"))
            throw new InvalidOperationException($"Telemetry:Exporter must be none, console or otlp, not '{exporter}'.");
        var scrape = ScrapeSetting(builder);
        if (exporter == "none" && !scrape.Enabled) return;

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(serviceName));
        if (exporter != "none")
        {
            otel.WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                    .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = r => !IsProbe(r.RequestUri?.AbsolutePath))
                    .AddNpgsql()
                    .AddSource("MassTransit", Prefix + "*");
                if (exporter == "otlp") t.AddOtlpExporter(); else t.AddConsoleExporter();
            });
        }
        otel.WithMetrics(m =>
        {
            m.AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("MassTransit", Prefix + "*");
            if (scrape.Enabled) m.AddPrometheusExporter();
            if (exporter == "otlp") m.AddOtlpExporter();
            else if (exporter == "console") m.AddConsoleExporter();
        });
    }

    /// <summary>The scrape endpoint, first in the pipeline (it needs neither authentication nor routing).</summary>
    internal static void UseMetricsScraping(this WebApplication app)
    {
        if (app.Services.GetService<ScrapeEndpoint>() is not { Port: var port }) return;
        // By the port the connection came in on, not the Host header, which the client writes.
        app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
            http.Request.Path == MetricsPath && (port == 0 || http.Connection.LocalPort == port));
    }

    /// <summary>The current trace context as a traceparent value, if tracing is on and there is one.</summary>
    public static string? CurrentTraceParent(this ActivitySource source) =>
        source.HasListeners() && Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>
    /// Starts a span of <paramref name="source"/> continuing the trace in <paramref name="traceParent"/>
    /// (stored with the work when it was recorded), or a new trace if there is none; null when tracing is off.
    /// </summary>
    public static Activity? StartContinuing(this ActivitySource source, string name, ActivityKind kind, string? traceParent)
    {
        if (!source.HasListeners()) return null;
        return traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
            ? source.StartActivity(name, kind, parent)
            : source.StartActivity(name, kind, parentContext: default);
    }

    private static bool IsProbe(string? path) =>
        path is not null && (path.StartsWith("/health/", StringComparison.Ordinal) || path == MetricsPath);

    private static (bool Enabled, int Port) ScrapeSetting(WebApplicationBuilder builder)
    {
        var setting = builder.Configuration["Telemetry:Prometheus"] is { Length: > 0 } s ? s : "on";
        if (setting == "off") return (false, 0);
        var port = 0;
        if (setting != "on")
        {
            if (!Uri.TryCreate(setting.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"), UriKind.Absolute, out var url)
                || url.Scheme != Uri.UriSchemeHttp || url.IsDefaultPort || url.Port == 0)
                throw new InvalidOperationException($"Telemetry:Prometheus must be on, off or an http:// URL with a port, not '{setting}'.");
            port = url.Port;
            // Added to the addresses the service listens on (Urls), which stay as they are.
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
            if (string.IsNullOrEmpty(urls))
                throw new InvalidOperationException("Telemetry:Prometheus names a URL of its own, so the service's own addresses must be set too (Urls).");
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, urls + ";" + setting.TrimEnd('/'));
        }
        builder.Services.AddSingleton(new ScrapeEndpoint(port));
        return (true, port);
    }
}
