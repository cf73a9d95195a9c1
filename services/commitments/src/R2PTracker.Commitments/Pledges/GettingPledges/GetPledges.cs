using Marten;
using Marten.AspNetCore;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.GettingPledges;

public static class GetPledgesSlice
{
    /// <summary>Every pledge as of a date, in stream-id order, each folded from its events (see <see cref="StreamEventCache"/>).</summary>
    public static async Task<IEnumerable<Pledge>> AllAsOfAsync(StreamEventCache cache, DateOnly asOf, Axis axis, CancellationToken ct)
    {
        var streams = await cache.StreamsAsync(null, ct);
        return streams.Select(s => PledgeAsOf.Fold(s.Events, asOf, axis)).OfType<Pledge>();
    }

    public static void MapGetPledges(this IEndpointRouteBuilder app)
    {
        // Without asOf the list is streamed as stored JSON, without deserialising.
        app.MapGet("/api/pledges", async (
            string? asOf, string? axis, IQuerySession session, StreamEventCache cache, HttpContext http, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeAsOf.TryParse(asOf, axis, v, out var date, out var on)) return Problems.Validation(v);
            if (date is null)
            {
                await session.Query<Pledge>().OrderBy(p => p.Id).WriteArray(http);
                return Results.Empty;
            }
            // Folded lazily while the response is written.
            return Results.Ok(await AllAsOfAsync(cache, date.Value, on, ct));
        });

        app.MapGet("/api/pledges/{id}", async (
            string id, string? asOf, string? axis, IQuerySession session, StreamEventCache cache, HttpContext http, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeAsOf.TryParse(asOf, axis, v, out var date, out var on)) return Problems.Validation(v);
            if (date is not null)
            {
                var events = await cache.StreamAsync(id, ct);
                return events is not null && PledgeAsOf.Fold(events, date.Value, on) is { } then ? Results.Ok(then) : Problems.NotFound(id);
            }
            var pledge = await session.LoadAsync<Pledge>(id, ct);
            if (pledge is null) return Problems.NotFound(id);
            http.Response.Headers.ETag = Problems.ETag(pledge.Version);
            return Results.Ok(pledge);
        });
    }
}
