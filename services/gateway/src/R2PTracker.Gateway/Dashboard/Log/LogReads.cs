using System.Text.Json;
using Microsoft.AspNetCore.OutputCaching;

namespace R2PTracker.Gateway.Dashboard.Log;

/// <summary>
/// How the pages read the transparency log: a log that cannot be read leaves a page without its
/// log details, never without the page; and a page that shows the log is kept in the cache only as
/// long as what it shows can still be current.
/// </summary>
internal static class LogReads
{
    /// <summary>
    /// Witnesses cosign on their own schedule, with no message that would evict a page showing their
    /// cosignatures, and a checkpoint is signed a moment after the change that evicted the page: a
    /// page showing them lives in the cache this long at most rather than until the next change.
    /// </summary>
    public static readonly TimeSpan HeadLifetime = TimeSpan.FromSeconds(10);

    public static bool Unavailable(Exception e, CancellationToken ct) =>
        e is HttpRequestException or BackendException or JsonException || e is TaskCanceledException && !ct.IsCancellationRequested;

    /// <summary>The latest checkpoint, or null if the log is empty or cannot be read.</summary>
    public static async Task<LogCheckpoint?> CheckpointOrNullAsync(CommitmentsClient commitments, CancellationToken ct)
    {
        try
        {
            return await commitments.CheckpointAsync(ct);
        }
        catch (Exception e) when (Unavailable(e, ct))
        {
            return null;
        }
    }

    /// <summary>
    /// Serves this response but does not store it: it shows the log catching up (an entry not yet in
    /// a signed tree) or not answering, which a reload a moment later should not find again.
    /// </summary>
    public static void DoNotStore(HttpContext http)
    {
        if (http.Features.Get<IOutputCacheFeature>() is { } cache) cache.Context.AllowCacheStorage = false;
    }

    public static void StoreBriefly(HttpContext http)
    {
        if (http.Features.Get<IOutputCacheFeature>() is { Context: var context } && !(context.ResponseExpirationTimeSpan <= HeadLifetime))
            context.ResponseExpirationTimeSpan = HeadLifetime;
    }

    /// <summary>This tracker's address as its visitors reach it (the forwarded scheme and host behind a trusted proxy).</summary>
    public static string PublicBaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
