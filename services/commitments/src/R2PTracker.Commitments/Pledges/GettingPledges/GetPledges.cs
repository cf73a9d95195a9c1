using Marten;
using Marten.AspNetCore;
using R2PTracker.Commitments.Http;

namespace R2PTracker.Commitments.Pledges.GettingPledges;

public static class GetPledgesSlice
{
    public static void MapGetPledges(this IEndpointRouteBuilder app)
    {
        // The list is streamed as stored JSON, without deserialising.
        app.MapGet("/api/pledges", (IQuerySession session, HttpContext http) =>
            session.Query<Pledge>().OrderBy(p => p.Id).WriteArray(http));

        app.MapGet("/api/pledges/{id}", async (string id, IQuerySession session, HttpContext http, CancellationToken ct) =>
        {
            var pledge = await session.LoadAsync<Pledge>(id, ct);
            if (pledge is null) return Problems.NotFound(id);
            http.Response.Headers.ETag = Problems.ETag(pledge.Version);
            return Results.Ok(pledge);
        });
    }
}
