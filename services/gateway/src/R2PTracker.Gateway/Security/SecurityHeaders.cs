using System.Globalization;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;

namespace R2PTracker.Gateway.Security;

/// <summary>
/// Headers on every answer the gateway gives, its own and the backends' alike. The dashboard loads
/// its script and style from files (wwwroot) and has no inline script, style or event handler, so the
/// policy allows only the gateway's own files; no page may be framed (clickjacking a staff form);
/// nothing is sniffed into another type; and no address leaves in a Referer, as a reader's path
/// through the record is nobody else's business. HSTS and the redirect to HTTPS are settings
/// (TransportSecurity:*), off by default, for a gateway that is reached over HTTPS.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static void AddTransportSecurity(this IServiceCollection services)
    {
        services.AddSettings<TransportSecurityOptions>(TransportSecurityOptions.Section);
        services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<TransportSecurityOptions>>((o, transport) =>
        {
            o.HttpsPort = transport.Value.HttpsPort;
            o.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
        });
    }

    /// <summary>After the forwarded headers (so a request that reached the proxy over HTTPS counts as HTTPS), before anything answers.</summary>
    public static void UseSecurityHeaders(this WebApplication app)
    {
        var transport = app.Services.GetRequiredService<IOptions<TransportSecurityOptions>>().Value;
        var hsts = $"max-age={((long)transport.HstsMaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture)}";
        app.Use((http, next) =>
        {
            // On starting, so that they are on every answer: proxied ones and error pages too.
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = http.GetEndpoint()?.Metadata.GetMetadata<ApiDescription.PagePolicy>()?.ContentSecurityPolicy
                                                ?? ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                if (transport.Hsts && http.Request.IsHttps) headers.StrictTransportSecurity = hsts;
                return Task.CompletedTask;
            });
            return next(http);
        });
        // Health probes (a kubelet's, a load balancer's) come over plain HTTP to the pod itself.
        if (transport.HttpsRedirect)
            app.UseWhen(http => !http.Request.Path.StartsWithSegments("/health"), branch => branch.UseHttpsRedirection());
    }
}
