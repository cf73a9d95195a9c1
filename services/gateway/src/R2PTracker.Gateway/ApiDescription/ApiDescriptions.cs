using Scalar.AspNetCore;

namespace R2PTracker.Gateway.ApiDescription;

/// <summary>
/// The public API described at the public address: GET /openapi/v1.json (<see cref="PublicApiDocument"/>)
/// and a Scalar API reference at /api/docs. Scalar's script is served from its package (nothing from a
/// CDN); the page is the gateway's own, with no inline script, so that it runs under a policy that only
/// adds, for this page, the inline styles Scalar's script sets and the data: images and fonts it uses.
/// </summary>
public static class ApiDescriptions
{
    public const string OwnDocument = "gateway";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";

    public const string ReferencePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private const string Page =
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>R2P Tracker API reference</title>
        </head>
        <body>
          <div id="reference"></div>
          <script src="/api/docs/scalar.js"></script>
          <script src="/api/docs/reference.js"></script>
        </body>
        </html>
        """;

    private const string Script =
        """
        Scalar.createApiReference('#reference', {
          url: '/openapi/v1.json',
          // Nothing that would reach beyond the gateway: Scalar's fonts, its telemetry, its AI agent and
          // its developer toolbar (shown on localhost by default) are all off.
          withDefaultFonts: false,
          telemetry: false,
          agent: { disabled: true },
          showDeveloperTools: 'never',
        });
        """;

    public static void AddApiDescriptions(this IServiceCollection services)
    {
        services.AddOpenApi(OwnDocument);
        services.AddHttpClient(nameof(PublicApiDocument), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<PublicApiDocument>();
    }

    public static void MapApiDescriptions(this IEndpointRouteBuilder app)
    {
        app.MapGet(DocumentPath, async (PublicApiDocument document, CancellationToken ct) =>
                await document.GetAsync(ct) is { } json
                    ? Results.Text(json, "application/json; charset=utf-8")
                    : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The API description is unavailable.",
                        detail: "A service's own description could not be read; try again shortly."))
            .ExcludeFromDescription().RequireRateLimiting(Proxy.RateLimits.PublicReads);

        app.MapGet(ReferencePath, () => Results.Content(Page, "text/html; charset=utf-8"))
            .ExcludeFromDescription().RequireRateLimiting(Proxy.RateLimits.PublicReads).WithMetadata(new PagePolicy(ReferencePolicy));
        app.MapGet(ReferencePath + "/reference.js", () => Results.Content(Script, "text/javascript; charset=utf-8"))
            .ExcludeFromDescription().RequireRateLimiting(Proxy.RateLimits.PublicReads);
        // Scalar's script (and its favicon) from the package. Its own page has an inline script, which the
        // policy refuses: it sends the reader to the page above instead.
        app.MapScalarApiReference(ReferencePath).ExcludeFromDescription().RequireRateLimiting(Proxy.RateLimits.PublicReads)
            .Add(endpoint =>
            {
                if (endpoint is RouteEndpointBuilder route && route.RoutePattern.GetParameter("documentName") is not null)
                    route.RequestDelegate = http =>
                    {
                        http.Response.Redirect(ReferencePath);
                        return Task.CompletedTask;
                    };
            });
    }
}

/// <summary>A Content-Security-Policy of an endpoint's own, in place of the gateway's (see <see cref="Security.SecurityHeaders"/>).</summary>
public sealed record PagePolicy(string ContentSecurityPolicy);
