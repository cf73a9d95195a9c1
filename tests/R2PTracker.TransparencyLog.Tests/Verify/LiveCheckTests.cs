using R2PTracker.Verify.Live;

namespace R2PTracker.TransparencyLog.Tests.Verify;

public sealed class LiveCheckTests : IDisposable
{
    private readonly NoteSigner _logKey = NoteSigner.Generate("tracker.example/log");
    private readonly FakeLog _log;
    private readonly HttpClient _http;

    public LiveCheckTests()
    {
        _log = new FakeLog(_logKey, leaves: 13);
        _http = new HttpClient(_log);
    }

    public void Dispose() => _http.Dispose();

    private LogClient Client => new(_http, FakeLog.BaseUrl);
    private NoteVerifier Key => NoteVerifier.Parse(_logKey.VerifierKey);

    [Fact]
    public async Task Every_entry_of_an_honest_log_is_proved_included()
    {
        for (var i = 0; i < 13; i++)
            (await LiveChecks.InclusionAsync(Client, Key, i, TextWriter.Null, TestContext.Current.CancellationToken)).Ok.ShouldBeTrue($"entry {i}");
    }

    [Fact]
    public async Task An_entry_served_differently_from_the_tree_is_not_proved_included()
    {
        _log.ServedInstead[5] = "edited"u8.ToArray();
        var result = await LiveChecks.InclusionAsync(Client, Key, 5, TextWriter.Null, TestContext.Current.CancellationToken);
        result.Ok.ShouldBeFalse();
        result.Message.ShouldContain("leaf mismatch");
    }

    [Fact]
    public async Task An_entry_beyond_the_checkpoint_is_not_included_yet() =>
        (await LiveChecks.InclusionAsync(Client, Key, 13, TextWriter.Null, TestContext.Current.CancellationToken)).Message.ShouldContain("not in the log yet");

    [Fact]
    public async Task A_checkpoint_by_another_key_fails_inclusion_with_bad_signature()
    {
        _log.Key = NoteSigner.Generate(_logKey.Name);
        (await LiveChecks.InclusionAsync(Client, Key, 1, TextWriter.Null, TestContext.Current.CancellationToken)).Message.ShouldStartWith("bad signature");
    }

    [Fact]
    public async Task An_earlier_checkpoint_is_consistent_with_the_grown_log()
    {
        var earlier = _logKey.Sign(_log.CurrentCheckpoint.Format());
        for (var i = 0; i < 20; i++) _log.Add($"more {i}");
        (await LiveChecks.ConsistencyAsync(Client, Key, earlier, TextWriter.Null, TestContext.Current.CancellationToken)).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task A_rewritten_history_is_reported_as_a_fork()
    {
        var earlier = _logKey.Sign(_log.CurrentCheckpoint.Format());
        var rewritten = _log.Leaves.ToList();
        rewritten[0] = "rewritten"u8.ToArray();
        rewritten.Add("new"u8.ToArray());
        _log.PublishedTree = rewritten;
        (await LiveChecks.ConsistencyAsync(Client, Key, earlier, TextWriter.Null, TestContext.Current.CancellationToken)).Message.ShouldStartWith("fork");
    }

    [Fact]
    public async Task An_earlier_checkpoint_by_another_key_is_refused()
    {
        var forged = NoteSigner.Generate(_logKey.Name).Sign(_log.CurrentCheckpoint.Format());
        (await LiveChecks.ConsistencyAsync(Client, Key, forged, TextWriter.Null, TestContext.Current.CancellationToken)).Message.ShouldStartWith("bad signature");
    }
}
