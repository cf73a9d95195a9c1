using Marten;
using Marten.AspNetCore;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;

namespace R2PTracker.Commitments.Pledges.GettingPledges;

public static class GetPledgesSlice
{
    public static async Task<List<Pledge>> AllAsOfAsync(IQuerySession session, DateOnly asOf, Axis axis, CancellationToken ct)
    {
        IQueryable<JasperFx.Events.IEvent> query = session.Events.QueryAllRawEvents();
        if (axis == Axis.Recorded)
        {
            var endOfDay = new DateTimeOffset(asOf.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(e => e.Timestamp < endOfDay);
        }
        var events = await query.ToListAsync(ct);
        return events.GroupBy(e => e.StreamKey!)
            .Select(stream => PledgeAsOf.Fold(stream.ToList(), asOf, axis))
            .OfType<Pledge>()
            .OrderBy(p => p.Id, StringComparer.Ordinal)
            .ToList();
    }

    public static void MapGetPledges(this IEndpointRouteBuilder app)
    {
        // Without asOf the list is streamed as stored JSON, without deserialising.
        app.MapGet("/api/pledges", async (string? asOf, string? axis, IQuerySession session, HttpContext http, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeAsOf.TryParse(asOf, axis, v, out var date, out var on)) return Problems.Validation(v);
            if (date is null)
            {
                await session.Query<Pledge>().OrderBy(p => p.Id).WriteArray(http);
                return Results.Empty;
            }
            return Results.Ok(await AllAsOfAsync(session, date.Value, on, ct));
        });

        app.MapGet("/api/pledges/{id}", async (string id, string? asOf, string? axis, IQuerySession session, HttpContext http, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeAsOf.TryParse(asOf, axis, v, out var date, out var on)) return Problems.Validation(v);
            if (date is not null)
            {
                var events = await session.Events.FetchStreamAsync(id, token: ct);
                return PledgeAsOf.Fold(events, date.Value, on) is { } then ? Results.Ok(then) : Problems.NotFound(id);
            }
            var pledge = await session.LoadAsync<Pledge>(id, ct);
            if (pledge is null) return Problems.NotFound(id);
            http.Response.Headers.ETag = Problems.ETag(pledge.Version);
            return Results.Ok(pledge);
        });
    }
}
