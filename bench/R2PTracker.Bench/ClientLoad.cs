using System.Diagnostics;

namespace R2PTracker.Bench;

/// <summary>The client loop the appends and the floor share, so both rates are measured the same way.</summary>
internal static class ClientLoad
{
    /// <summary>
    /// Runs <paramref name="clients"/> clients side by side for <paramref name="seconds"/>. Each is given its
    /// index, a test of whether time is left, and a function that counts one request (true if it succeeded).
    /// </summary>
    public static async Task<(double PerSecond, int Succeeded, int Failed)> RunAsync(
        int clients, int seconds, Func<int, Func<bool>, Action<bool>, Task> client)
    {
        var succeeded = 0;
        var failed = 0;
        var stopAt = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        bool Running() => Stopwatch.GetTimestamp() < stopAt;
        void Count(bool ok)
        {
            if (ok) Interlocked.Increment(ref succeeded);
            else Interlocked.Increment(ref failed);
        }
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => client(i, Running, Count)));
        return (succeeded / Stopwatch.GetElapsedTime(started).TotalSeconds, succeeded, failed);
    }
}
