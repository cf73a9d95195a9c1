using Yarp.ReverseProxy.Forwarder;

namespace R2PTracker.Gateway.Proxy;

/// <summary>A backend that is down or too slow answers as problem details (502/503/504), not an empty body.</summary>
public static class ProxyErrors
{
    public static async Task WriteProblemOnFailure(HttpContext http, Func<Task> next)
    {
        await next();
        var error = http.GetForwarderErrorFeature();
        if (error is null || http.Response.HasStarted) return;
        var (status, title) = error.Error switch
        {
            ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "The service is unavailable."),
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "The service did not answer in time."),
            _ => (StatusCodes.Status502BadGateway, "The service could not be reached."),
        };
        http.Response.Clear();
        await Results.Problem(statusCode: status, title: title, detail: "Try again shortly.").ExecuteAsync(http);
    }
}
