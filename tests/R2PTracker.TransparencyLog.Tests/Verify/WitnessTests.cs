using R2PTracker.Verify.Commands;
using R2PTracker.Verify.Live;
using R2PTracker.Verify.Witnessing;

namespace R2PTracker.TransparencyLog.Tests.Verify;

public sealed class WitnessTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private readonly NoteSigner _logKey = NoteSigner.Generate("tracker.example/log");
    private readonly NoteSigner _witnessKey = NoteSigner.Generate("witness.example/w1");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "witness-" + Guid.NewGuid().ToString("N"));
    private readonly FakeLog _log;
    private readonly HttpClient _http;

    public WitnessTests()
    {
        _log = new FakeLog(_logKey, leaves: 10);
        _http = new HttpClient(_log);
    }

    public void Dispose()
    {
        _http.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private Task<WitnessResult> Run(AuditMode audit = AuditMode.All, bool submit = true) =>
        new Witness(new LogClient(_http, FakeLog.BaseUrl), NoteVerifier.Parse(_logKey.VerifierKey), _witnessKey,
            new WitnessState(_dir), new FixedTime(Now), TextWriter.Null).RunAsync(audit, submit, TestContext.Current.CancellationToken);

    private long StoredSize => new WitnessState(_dir).Load()!.Checkpoint.TreeSize;

    private List<byte[]> AlteredCopy(int index)
    {
        var copy = _log.Leaves.ToList();
        copy[index] = "changed"u8.ToArray();
        return copy;
    }

    [Fact]
    public async Task A_first_run_stores_the_checkpoint_and_submits_a_cosignature_that_verifies()
    {
        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.Ok, result.Message);
        StoredSize.ShouldBe(10);
        var submitted = SignedNote.Parse(_log.Submitted.ShouldHaveSingleItem());
        submitted.Text.ShouldBe(_log.CurrentCheckpoint.Format());
        submitted.CosignedAt(NoteVerifier.Parse(_witnessKey.CosignatureVerifierKey)).ShouldBe(Now);
        File.ReadAllText(Path.Combine(_dir, "checkpoint")).ShouldBe(_logKey.Sign(_log.CurrentCheckpoint.Format()));
    }

    [Fact]
    public async Task A_grown_log_is_witnessed_after_its_consistency_proof_checks()
    {
        (await Run()).Ok.ShouldBeTrue();
        for (var i = 0; i < 7; i++) _log.Add($"later {i}");

        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.Ok, result.Message);
        StoredSize.ShouldBe(17);
        _log.Submitted.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Auditing_only_new_entries_reads_from_the_previous_size_and_checks_the_new_root()
    {
        (await Run()).Ok.ShouldBeTrue();
        for (var i = 0; i < 7; i++) _log.Add($"later {i}");
        _log.EntryRequests.Clear();

        var result = await Run(AuditMode.New);

        result.Verdict.ShouldBe(WitnessVerdict.Ok, result.Message);
        _log.EntryRequests.ShouldBe([(10L, 17L)]);
    }

    [Fact]
    public async Task A_smaller_tree_than_the_one_witnessed_is_a_rollback_and_is_not_stored()
    {
        (await Run()).Ok.ShouldBeTrue();
        _log.PublishedTree = _log.Leaves.Take(5).ToList();

        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.Rollback);
        result.Message.ShouldContain("rollback");
        StoredSize.ShouldBe(10);
        _log.Submitted.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Another_root_for_the_same_size_is_a_fork()
    {
        (await Run()).Ok.ShouldBeTrue();
        _log.PublishedTree = AlteredCopy(3);

        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.Fork);
        result.Message.ShouldContain("fork");
        new WitnessState(_dir).Load()!.Checkpoint.ShouldNotBe(_log.CurrentCheckpoint);
    }

    [Fact]
    public async Task A_larger_tree_that_rewrote_history_fails_the_consistency_proof_as_a_fork()
    {
        (await Run()).Ok.ShouldBeTrue();
        var rewritten = AlteredCopy(3);
        for (var i = 0; i < 5; i++) rewritten.Add([(byte)i]);
        _log.PublishedTree = rewritten;

        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.Fork);
        result.Message.ShouldContain("consistency proof failed");
        StoredSize.ShouldBe(10);
    }

    [Fact]
    public async Task A_checkpoint_not_signed_by_the_log_key_is_refused_before_anything_is_stored()
    {
        _log.Key = NoteSigner.Generate(_logKey.Name);

        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.BadSignature);
        result.Message.ShouldContain("bad signature");
        File.Exists(Path.Combine(_dir, "state.json")).ShouldBeFalse();
        _log.Submitted.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_changed_origin_is_refused()
    {
        (await Run()).Ok.ShouldBeTrue();
        _log.OriginOverride = "another.example/log";

        (await Run()).Verdict.ShouldBe(WitnessVerdict.OriginMismatch);
    }

    [Fact]
    public async Task An_entry_changed_in_the_database_behind_an_intact_tree_fails_the_audit()
    {
        (await Run()).Ok.ShouldBeTrue();
        _log.ServedInstead[3] = "edited after the fact"u8.ToArray();

        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.AuditFailed);
        result.Message.ShouldContain("an entry was changed or removed");
        _log.Submitted.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_changed_new_entry_fails_even_the_audit_of_new_entries()
    {
        (await Run()).Ok.ShouldBeTrue();
        for (var i = 0; i < 5; i++) _log.Add($"later {i}");
        _log.ServedInstead[12] = "edited"u8.ToArray();

        (await Run(AuditMode.New)).Verdict.ShouldBe(WitnessVerdict.AuditFailed);
        StoredSize.ShouldBe(10);
    }

    [Fact]
    public async Task An_entry_the_log_no_longer_serves_fails_the_audit_and_is_named()
    {
        _log.NotServed.Add(4);

        var result = await Run();

        result.Verdict.ShouldBe(WitnessVerdict.AuditFailed);
        result.Message.ShouldContain("missing entry 4");
    }

    [Fact]
    public async Task A_missing_last_entry_fails_the_audit()
    {
        _log.NotServed.Add(9);

        (await Run()).Message.ShouldContain("missing entry 9");
    }

    [Fact]
    public async Task A_large_log_is_read_in_pages_of_a_thousand()
    {
        for (var i = 10; i < 2345; i++) _log.Add($"e{i}");

        (await Run()).Verdict.ShouldBe(WitnessVerdict.Ok);
        _log.EntryRequests.ShouldBe([(0L, 1000L), (1000L, 2000L), (2000L, 2345L)]);
    }

    [Fact]
    public async Task With_no_submit_nothing_is_posted_but_the_checkpoint_is_remembered()
    {
        (await Run(submit: false)).Ok.ShouldBeTrue();
        _log.Submitted.ShouldBeEmpty();
        StoredSize.ShouldBe(10);
    }

    [Fact]
    public async Task The_command_exits_0_when_witnessed_and_1_on_a_rollback()
    {
        var keyFile = Path.Combine(_dir, "..", Path.GetFileName(_dir) + ".key");
        File.WriteAllText(keyFile, _witnessKey.SignerKey + "\n");
        try
        {
            string[] args = [FakeLog.BaseUrl, "--state", _dir, "--key", _logKey.VerifierKey, "--witness-key", keyFile, "--audit", "new"];
            (await LiveCommands.WitnessAsync(args, _http, TextWriter.Null, new FixedTime(Now))).ShouldBe(0);
            _log.PublishedTree = _log.Leaves.Take(3).ToList();
            var output = new StringWriter();
            (await LiveCommands.WitnessAsync(args, _http, output, new FixedTime(Now))).ShouldBe(1);
            output.ToString().ShouldContain("FAILED: rollback");
            _log.PublishedTree = null;
            _log.SubmissionStatus = System.Net.HttpStatusCode.Conflict;
            (await LiveCommands.WitnessAsync(args, _http, TextWriter.Null, new FixedTime(Now))).ShouldBe(2);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
