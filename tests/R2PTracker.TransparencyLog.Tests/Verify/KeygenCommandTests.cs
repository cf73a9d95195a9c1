using R2PTracker.Verify.Commands;

namespace R2PTracker.TransparencyLog.Tests.Verify;

public sealed class KeygenCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keygen-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string KeyFile => Path.Combine(_dir, "log.key");

    [Fact]
    public async Task Keygen_writes_a_signer_key_only_its_owner_can_read_and_prints_its_verifier_key()
    {
        var output = new StringWriter();
        (await Cli.RunAsync(["keygen", "tracker.example/log", "--out", KeyFile], output, TextWriter.Null)).ShouldBe(0);

        var signer = NoteSigner.Parse(File.ReadAllText(KeyFile).Trim());
        output.ToString().Trim().ShouldBe(signer.VerifierKey);
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(KeyFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Keygen_for_a_witness_prints_the_cosignature_verifier_key()
    {
        var output = new StringWriter();
        (await Cli.RunAsync(["keygen", "witness.example/w1", "--out", KeyFile, "--witness"], output, TextWriter.Null)).ShouldBe(0);

        var verifier = NoteVerifier.Parse(output.ToString().Trim());
        verifier.Type.ShouldBe((byte)0x04);
        verifier.KeyHash.ShouldBe(NoteSigner.Parse(File.ReadAllText(KeyFile).Trim()).CosignatureKeyHash);
    }

    [Fact]
    public async Task Keygen_refuses_to_overwrite_a_key()
    {
        File.WriteAllText(KeyFile, "precious");
        var error = new StringWriter();

        (await Cli.RunAsync(["keygen", "tracker.example/log", "--out", KeyFile], TextWriter.Null, error)).ShouldBe(2);

        File.ReadAllText(KeyFile).ShouldBe("precious");
        error.ToString().ShouldContain("refusing to overwrite");
    }

    [Fact]
    public async Task Keygen_refuses_a_name_that_cannot_be_a_key_name() =>
        (await Cli.RunAsync(["keygen", "has space", "--out", KeyFile], TextWriter.Null, TextWriter.Null)).ShouldBe(2);

    [Fact]
    public async Task A_cosignature_key_is_refused_where_the_log_key_is_wanted()
    {
        var witness = NoteSigner.Generate("witness.example/w1");
        var error = new StringWriter();
        (await Cli.RunAsync(["verify-export", KeyFile, "--key", witness.CosignatureVerifierKey], TextWriter.Null, error)).ShouldBe(2);
        error.ToString().ShouldContain("not a cosignature key");
    }

    [Fact]
    public async Task A_key_can_be_given_as_a_file()
    {
        var log = NoteSigner.Generate("tracker.example/log");
        var export = new GeneratedExport(log);
        var keyFile = Path.Combine(_dir, "log.pub");
        var exportFile = Path.Combine(_dir, "events.ndjson");
        File.WriteAllText(keyFile, log.VerifierKey + "\n");
        File.WriteAllText(exportFile, export.Text());
        (await Cli.RunAsync(["verify-export", exportFile, "--key", "@" + keyFile], TextWriter.Null, TextWriter.Null)).ShouldBe(0);
    }
}
