using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using R2PTracker.Gateway.Staff;

namespace R2PTracker.Gateway.Proxy;

/// <summary>
/// Every request body is limited to RequestBody:MaxBytes (64 KiB), the import's to Import:MaxBodyBytes.
/// A declared Content-Length over the limit is refused at once with a 413 problem, before anything
/// is forwarded: Kestrel closes a connection after a 413, which YARP could otherwise reuse for the
/// next request (a 502). A chunked body is cut off by Kestrel at the same limit while it is read
/// (see <see cref="ProxyErrors"/> for how that answers).
/// </summary>
public static class BodyLimits
{
    public static void AddBodyLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<RequestBodyOptions>(RequestBodyOptions.Section);
        builder.Services.AddSettings<ImportOptions>(ImportOptions.Section);
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<RequestBodyOptions>>((k, body) => k.Limits.MaxRequestBodySize = body.Value.MaxBytes);
    }

    public static bool IsImport(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments(StaffAuthentication.ImportPath);

    public static void UseBodyLimits(this WebApplication app)
    {
        var body = app.Services.GetRequiredService<IOptions<RequestBodyOptions>>().Value;
        var import = app.Services.GetRequiredService<IOptions<ImportOptions>>().Value;
        app.Use(async (http, next) =>
        {
            var isImport = IsImport(http.Request);
            var max = isImport ? import.MaxBodyBytes : body.MaxBytes;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max;
            if (http.Request.ContentLength > max)
            {
                await TooLarge(http, max);
                return;
            }
            await next(http);
        });
    }

    public static Task TooLarge(HttpContext http, long max) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
            detail: $"A request body here may carry at most {max} bytes ({max / 1024} KiB).").ExecuteAsync(http);
}
