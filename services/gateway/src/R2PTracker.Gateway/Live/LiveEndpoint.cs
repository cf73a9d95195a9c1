using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using R2PTracker.Gateway.Proxy;

namespace R2PTracker.Gateway.Live;

public static class LiveEndpoint
{
    /// <summary>What a refused client is told to wait: long enough for one of the open streams to close.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    public static void AddLive(this IServiceCollection services)
    {
        services.AddSettings<LiveOptions>(LiveOptions.Section);
        services.AddSingleton<LiveHub>();
        services.AddSingleton<LiveConnections>();
    }

    public static void MapLive(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/live", async (HttpContext http, LiveHub hub, LiveConnections connections, IOptions<LiveOptions> options, CancellationToken ct) =>
        {
            var (lease, refusal) = connections.TryOpen(TrustedProxies.ClientKey(http));
            if (refusal == LiveConnections.Refusal.ClientFull)
            {
                await RateLimits.TooManyRequests(http, RetryAfter,
                    $"This client already holds {options.Value.MaxConnectionsPerClient} live streams; close one first");
                return;
            }
            if (refusal == LiveConnections.Refusal.GatewayFull)
            {
                http.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many live streams.",
                    detail: "The gateway holds as many live streams as it may; the page still works without live updates. Try again later.")
                    .ExecuteAsync(http);
                return;
            }
            using (lease) await StreamAsync(http, hub, options.Value.KeepAliveInterval, ct);
        }).RequireRateLimiting(RateLimits.PublicReads)
        .WithTags("Live").WithSummary("Server-Sent Events of pledge changes and new checkpoints (resumes after Last-Event-ID).")
        .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
        .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task StreamAsync(HttpContext http, LiveHub hub, TimeSpan keepAlive, CancellationToken ct)
    {
        long? lastEventId = long.TryParse(
            http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["lastEventId"].FirstOrDefault(),
            NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var (missed, reader, subscription) = hub.Subscribe(lastEventId);
        using (subscription)
        {
            try
            {
                await http.Response.WriteAsync("retry: 1000\n\n", ct);
                foreach (var e in missed) await WriteAsync(http, e, ct);
                await http.Response.Body.FlushAsync(ct);
                while (!ct.IsCancellationRequested)
                {
                    using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    heartbeat.CancelAfter(keepAlive);
                    try
                    {
                        var e = await reader.ReadAsync(heartbeat.Token);
                        await WriteAsync(http, e, ct);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    }
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException)
            {
                // The client went away.
            }
        }
    }

    private static Task WriteAsync(HttpContext http, LiveEvent e, CancellationToken ct) =>
        http.Response.WriteAsync(
            $"id: {e.Id.ToString(CultureInfo.InvariantCulture)}\nevent: pledge\ndata: {JsonSerializer.Serialize(e, JsonSerializerOptions.Web)}\n\n", ct);
}
