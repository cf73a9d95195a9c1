using System.Globalization;
using System.Text.Json;

namespace R2PTracker.Gateway.Live;

public static class LiveEndpoint
{
    public static void MapLive(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/live", async (HttpContext http, LiveHub hub, CancellationToken ct) =>
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
                await http.Response.WriteAsync("retry: 1000\n\n", ct);
                foreach (var e in missed) await WriteAsync(http, e, ct);
                await http.Response.Body.FlushAsync(ct);
                try
                {
                    while (!ct.IsCancellationRequested)
                    {
                        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
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
        });

    private static Task WriteAsync(HttpContext http, LiveEvent e, CancellationToken ct) =>
        http.Response.WriteAsync(
            $"id: {e.Id.ToString(CultureInfo.InvariantCulture)}\nevent: pledge\ndata: {JsonSerializer.Serialize(e, JsonSerializerOptions.Web)}\n\n", ct);
}
