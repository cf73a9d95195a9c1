using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace R2PTracker.Gateway.Proxy;

/// <summary>
/// A backend that is down or too slow answers as problem details (502/503/504), not an empty body;
/// a body the client sent past its limit (a chunked one, cut off by Kestrel while it was forwarded)
/// is a 413 problem.
/// </summary>
public static class ProxyErrors
{
    public static async Task WriteProblemOnFailure(HttpContext http, Func<Task> next)
    {
        await next();
        var error = http.GetForwarderErrorFeature();
        if (error is null || http.Response.HasStarted) return;
        http.Response.Clear();
        if (error.Error is ForwarderError.RequestBodyClient && IsTooLarge(error.Exception))
        {
            var max = BodyLimits.IsImport(http.Request)
                ? http.RequestServices.GetRequiredService<IOptions<ImportOptions>>().Value.MaxBodyBytes
                : http.RequestServices.GetRequiredService<IOptions<RequestBodyOptions>>().Value.MaxBytes;
            await BodyLimits.TooLarge(http, max);
            return;
        }
        var (status, title) = error.Error switch
        {
            ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "The service is unavailable."),
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "The service did not answer in time."),
            ForwarderError.RequestBodyClient or ForwarderError.RequestCanceled =>
                (StatusCodes.Status400BadRequest, "The request body could not be read."),
            _ => (StatusCodes.Status502BadGateway, "The service could not be reached."),
        };
        await Results.Problem(statusCode: status, title: title,
            detail: status == StatusCodes.Status400BadRequest ? "Send the whole body and try again." : "Try again shortly.").ExecuteAsync(http);
    }

    private static bool IsTooLarge(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return true;
        return false;
    }
}
