using R2PTracker.Verify;
using R2PTracker.Verify.Commands;
using R2PTracker.Verify.Export;

namespace R2PTracker.TransparencyLog.Tests.Verify;

public sealed class ExportVerifierTests
{
    private readonly NoteSigner _logKey = NoteSigner.Generate("tracker.example/log");
    private readonly GeneratedExport _export;

    public ExportVerifierTests() => _export = new GeneratedExport(_logKey);

    private Task<ExportReport> Verify(string text, string? checkpoint = null) =>
        ExportVerifier.VerifyAsync(new StringReader(text), NoteVerifier.Parse(_logKey.VerifierKey), checkpoint);

    [Fact]
    public async Task An_untouched_export_verifies()
    {
        var report = await Verify(_export.Text());

        report.Failures.ShouldBeEmpty();
        (report.Events, report.Logged, report.BeyondCheckpoint).ShouldBe((12, 10, 0));
        report.Streams.Count.ShouldBe(3);
        report.Checkpoint.TreeSize.ShouldBe(10);
    }

    [Fact]
    public async Task Changed_event_data_breaks_its_chain_and_the_root()
    {
        var victim = _export.Events.First(e => e.StreamId == "pledge-1" && e.Version == 2);
        victim.Data = victim.Data.Replace("step 2", "step two");

        var failures = (await Verify(_export.Text())).Failures;

        failures.ShouldContain("broken chain of stream pledge-1 at version 2");
        failures.ShouldContain(f => f.StartsWith("root mismatch"));
    }

    [Fact]
    public async Task Changed_data_with_a_recomputed_chain_is_still_caught_by_the_log_root()
    {
        var victim = _export.Events.First(e => e.StreamId == "pledge-0" && e.Version == 3);
        victim.Data = victim.Data.Replace("300", "3000");
        _export.Rechain("pledge-0");

        var failures = (await Verify(_export.Text())).Failures;

        failures.ShouldHaveSingleItem().ShouldStartWith("root mismatch");
    }

    [Fact]
    public async Task A_removed_event_line_is_a_missing_log_index()
    {
        var removed = _export.Events.Single(e => e.LogIndex == 4);
        _export.Events.Remove(removed);

        var failures = (await Verify(_export.Text())).Failures;

        failures.ShouldContain("missing log index 4");
        failures.ShouldContain(f => f.StartsWith($"broken chain of stream {removed.StreamId}"));
    }

    [Fact]
    public async Task Swapped_log_indices_do_not_give_the_signed_root()
    {
        (_export.Events[2].LogIndex, _export.Events[5].LogIndex) = (_export.Events[5].LogIndex, _export.Events[2].LogIndex);

        var failures = (await Verify(_export.Text())).Failures;

        failures.ShouldHaveSingleItem().ShouldStartWith("root mismatch");
    }

    [Fact]
    public async Task Two_events_at_one_log_index_are_a_duplicate()
    {
        _export.Events[3].LogIndex = 6;

        var failures = (await Verify(_export.Text())).Failures;

        failures.ShouldContain(f => f.StartsWith("duplicate log index 6"));
        failures.ShouldContain("missing log index 3");
    }

    [Fact]
    public async Task A_checkpoint_signed_by_another_key_is_a_bad_signature()
    {
        _export.CheckpointNote = _export.Sign(10, NoteSigner.Generate(_logKey.Name));

        var failures = (await Verify(_export.Text())).Failures;

        failures.ShouldHaveSingleItem().ShouldStartWith("bad signature");
    }

    [Fact]
    public async Task An_earlier_checkpoint_given_instead_covers_only_its_prefix()
    {
        var report = await Verify(_export.Text(), checkpoint: _export.Sign(6));

        report.Failures.ShouldBeEmpty();
        (report.Logged, report.BeyondCheckpoint).ShouldBe((6, 4));
    }

    [Fact]
    public async Task An_export_without_a_checkpoint_is_bad_input() =>
        await Should.ThrowAsync<ExportFormatException>(() => Verify(_export.Text(withCheckpoint: false)));

    [Fact]
    public async Task A_checkpoint_line_before_the_end_is_bad_input() =>
        await Should.ThrowAsync<ExportFormatException>(() => Verify(_export.Text() + _export.Text()));

    [Fact]
    public async Task The_chain_check_alone_skips_the_checkpoint_line()
    {
        var results = await ChainVerifier.VerifyAsync(new StringReader(_export.Text()));
        results.Count.ShouldBe(3);
        results.ShouldAllBe(r => r.Valid);
    }

    [Fact]
    public async Task The_command_exits_0_when_verified_1_when_tampered_and_2_without_a_checkpoint()
    {
        var file = Path.GetTempFileName();
        try
        {
            string[] args = ["--key", _logKey.VerifierKey, file];
            await File.WriteAllTextAsync(file, _export.Text(), TestContext.Current.CancellationToken);
            (await VerifyExportCommand.RunAsync(args, TextWriter.Null)).ShouldBe(0);

            _export.Events[0].Data = _export.Events[0].Data.Replace("a", "c");
            await File.WriteAllTextAsync(file, _export.Text(), TestContext.Current.CancellationToken);
            var output = new StringWriter();
            (await VerifyExportCommand.RunAsync(args, output)).ShouldBe(1);
            output.ToString().ShouldContain("FAILED: broken chain of stream");

            await File.WriteAllTextAsync(file, _export.Text(withCheckpoint: false), TestContext.Current.CancellationToken);
            (await Cli.RunAsync(["verify-export", .. args], TextWriter.Null, TextWriter.Null)).ShouldBe(2);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
