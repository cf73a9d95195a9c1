using System.Diagnostics;
using R2PTracker.Commitments.Forwarding;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Forwarding;

public class AppendWakeupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_commit_the_daemon_waits_its_whole_polling_time()
    {
        using var wakeup = new AppendWakeup();
        var watch = Stopwatch.StartNew();
        await wakeup.WaitAsync(TimeSpan.FromMilliseconds(300), Ct);
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280));
    }

    [Fact]
    public async Task A_commit_wakes_the_waiting_daemon_before_its_polling_time()
    {
        using var wakeup = new AppendWakeup();
        var watch = Stopwatch.StartNew();
        var waiting = wakeup.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await Task.Delay(50, Ct);
        wakeup.Signal();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_commit_while_the_daemon_is_busy_is_kept_for_its_next_wait()
    {
        using var wakeup = new AppendWakeup();
        wakeup.Signal(); // e.g. while the daemon was querying for the high-water mark
        var watch = Stopwatch.StartNew();
        await wakeup.WaitAsync(TimeSpan.FromSeconds(30), Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Under_a_stream_of_commits_the_daemon_wakes_at_most_once_per_minimum_interval()
    {
        // A long interval and a loose bound: a busy machine may pause the test between the wake-up
        // and the stopwatch, but never makes the second wait end before its interval.
        using var wakeup = new AppendWakeup(TimeSpan.FromMilliseconds(600));
        wakeup.Signal();
        await wakeup.WaitAsync(TimeSpan.FromSeconds(30), Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        var watch = Stopwatch.StartNew();
        wakeup.Signal(); // the next commit, right after the daemon woke
        await wakeup.WaitAsync(TimeSpan.FromSeconds(30), Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
    }
}
