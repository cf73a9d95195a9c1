using Marten;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Http;

/// <summary>
/// The shared shape of every write to an existing pledge: If-Match → load → decide → append
/// with the expected version → answer with the new ETag. Nothing is appended unless the
/// decision succeeds and the version still matches.
/// </summary>
public static class PledgeWrites
{
    public static async Task<IResult> Handle(
        HttpContext http, IDocumentSession session, string pledgeId,
        Func<Pledge, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        if (!http.Request.Headers.IfMatch.Any()) return Problems.PreconditionRequired();
        if (!Problems.TryParseIfMatch(http.Request.Headers.IfMatch, out var expected))
            return Problems.Validation("If-Match", "'If-Match' must be the pledge's ETag, e.g. \"3\".");

        var state = await session.Events.FetchStreamStateAsync(pledgeId, ct);
        if (state is null) return Problems.NotFound(pledgeId);
        if (state.Version != expected) return Problems.PreconditionFailed(state.Version);

        var stream = await session.Events.FetchForWriting<Pledge>(pledgeId, expected, ct);
        if (stream.Aggregate is null) return Problems.NotFound(pledgeId);

        var events = decide(stream.Aggregate);
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        stream.AppendMany((await EventChain.StampAsync(session, pledgeId, expected, events, clock, ct)).ToArray<object>());
        await session.SaveChangesAsync(ct);
        http.RequestServices.GetService<Pledges.BecomingOverdue.OverdueMonitor>()?.Nudge(pledgeId);

        var version = expected + events.Count;
        http.Response.Headers.ETag = Problems.ETag(version);
        // The same Apply methods as the inline snapshot, so no second read is needed.
        var pledge = events.Aggregate(stream.Aggregate, (p, e) => p.Then(e)) with { Version = version };
        return Results.Ok(pledge);
    }

    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
