using R2PTracker.Commitments.Log;
using R2PTracker.Testing;
using R2PTracker.TransparencyLog;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Log;

public class LogOptionsTests
{
    private static LogOptions Valid() => new()
    {
        SigningKey = TestEnvironment.LogSigner.SignerKey,
        WitnessKeys = [TestEnvironment.WitnessSigner.CosignatureVerifierKey],
    };

    [Fact]
    public void Valid_settings_pass() => Valid().Validate().ShouldBeNull();

    [Fact]
    public void Without_a_key_the_log_refuses_to_start_unless_it_is_off()
    {
        var none = Valid();
        none.SigningKey = null;
        none.Validate()!.ShouldContain("Log:SigningKeyFile");
        none.Enabled = false;
        none.Validate().ShouldBeNull();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("PRIVATE+KEY+name+00000000+AQ==")]
    public void A_key_that_is_not_a_signer_key_is_refused_without_being_echoed(string key)
    {
        var options = Valid();
        options.SigningKey = key;
        var error = options.Validate()!;
        error.ShouldContain("signer key");
        error.ShouldNotContain(key);
    }

    [Fact]
    public void A_key_file_that_does_not_exist_is_named()
    {
        var options = Valid();
        options.SigningKey = null;
        options.SigningKeyFile = "/nonexistent/log-signing-key";
        options.Validate()!.ShouldContain("/nonexistent/log-signing-key");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(61_000)]
    public void A_checkpoint_interval_out_of_range_is_refused(int milliseconds)
    {
        var options = Valid();
        options.CheckpointInterval = TimeSpan.FromMilliseconds(milliseconds);
        options.Validate()!.ShouldContain("Log:CheckpointInterval");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" padded")]
    [InlineData("two\nlines")]
    public void An_origin_that_is_not_one_clean_line_is_refused(string origin)
    {
        var options = Valid();
        options.Origin = origin;
        options.Validate()!.ShouldContain("Log:Origin");
    }

    [Fact]
    public void A_witness_key_must_be_a_cosignature_key()
    {
        var options = Valid();
        options.WitnessKeys = [NoteSigner.Generate("witness.example").VerifierKey];
        options.Validate()!.ShouldContain("cosignature");
        options.WitnessKeys = ["not a key"];
        options.Validate()!.ShouldContain("Log:WitnessKeys");
    }
}
