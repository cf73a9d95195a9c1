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
        Func<Pledge, IReadOnlyList<object>> decide, CancellationToken ct, Func<IReadOnlyList<object>, Pledge, IResult?>? answer = null)
    {
        if (!http.Request.Headers.IfMatch.Any()) return Problems.PreconditionRequired();
        if (!Problems.TryParseIfMatch(http.Request.Headers.IfMatch, out var expected))
            return Problems.Validation("If-Match", "'If-Match' must be the pledge's ETag, e.g. \"3\".");
        return await AppendAsync(http, session, pledgeId, expected, decide, ct, answer);
    }

    /// <summary>
    /// The same append for a write whose precondition is not an If-Match (a review of a proposal names the version
    /// it was made at): <paramref name="expected"/> null takes the version read, which the append still asserts.
    /// <paramref name="answer"/> may answer otherwise than with the pledge (null: the pledge).
    /// </summary>
    public static async Task<IResult> AppendAsync(
        HttpContext http, IDocumentSession session, string pledgeId, long? expectedVersion,
        Func<Pledge, IReadOnlyList<object>> decide, CancellationToken ct,
        Func<IReadOnlyList<object>, Pledge, IResult?>? answer = null)
    {
        // One connection and one transaction for the whole write (reads, append, commit) rather than
        // a connection from the pool, and its reset, for each step.
        await session.BeginTransactionAsync(ct);
        // One read for the snapshot and its version; the append then asserts that version in its
        // transaction, so a write that slips in between makes this one fail with 412.
        var stream = await session.Events.FetchForWriting<Pledge>(pledgeId, ct);
        if (stream.Aggregate is null) return Problems.NotFound(pledgeId);
        var expected = expectedVersion ?? stream.CurrentVersion ?? 0;
        if (stream.CurrentVersion != expected) return Problems.PreconditionFailed(stream.CurrentVersion);

        var events = decide(stream.Aggregate);
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        stream.AppendMany((await EventChain.StampAsync(session, pledgeId, expected, events, clock, ct)).ToArray<object>());
        await session.SaveChangesAsync(ct);
        // Only a new target date or status can make a pledge overdue at once (see OverdueMonitor).
        if (events.Any(e => e is TargetDateSet or StatusAssessed))
            http.RequestServices.GetService<Pledges.BecomingOverdue.OverdueMonitor>()?.Nudge(pledgeId);

        var version = expected + events.Count;
        http.Response.Headers.ETag = Problems.ETag(version);
        // The same Apply methods as the inline snapshot, so no second read is needed.
        var pledge = events.Aggregate(stream.Aggregate, (p, e) => p.Then(e)) with { Version = version };
        return answer?.Invoke(events, pledge) ?? Results.Ok(pledge);
    }

    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
