using System.Buffers.Binary;

namespace R2PTracker.TransparencyLog.Tests.Notes;

public sealed class CosignatureTests
{
    private static readonly NoteSigner Log = NoteSigner.Generate("r2p.example/log");
    private static readonly NoteSigner Witness = NoteSigner.Generate("witness.example/w1");
    private static readonly Checkpoint Checkpoint = new("r2p.example/log", 20852163, Convert.FromBase64String("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1679315147);

    private static SignedNote Cosigned(string line) => SignedNote.Parse(Log.Sign(Checkpoint.Format())).With(SignedNote.Parse(Checkpoint.Format() + "\n" + line).Signatures);

    [Fact]
    public void A_cosignature_verifies_with_the_witness_key_and_tells_its_time()
    {
        var note = Cosigned(Witness.Cosign(Checkpoint, At.AddMilliseconds(700)));
        var witness = NoteVerifier.Parse(Witness.CosignatureVerifierKey);
        note.IsSignedBy(witness).ShouldBeTrue();
        note.CosignedAt(witness).ShouldBe(At);
        note.IsSignedBy(NoteVerifier.Parse(Log.VerifierKey)).ShouldBeTrue();
    }

    [Fact]
    public void A_cosignature_verifies_with_an_independent_reading_of_tlog_cosignature()
    {
        var note = Cosigned(Witness.Cosign(Checkpoint, At)).Format();
        IndependentNoteVerifier.Cosignatures(note, IndependentNoteVerifier.ParseVerifierKey(Witness.CosignatureVerifierKey))
            .ShouldBe([1679315147ul]);
    }

    [Fact]
    public void A_cosignature_line_carries_the_key_id_the_timestamp_and_an_ed25519_signature()
    {
        var line = Witness.Cosign(Checkpoint, At);
        line.ShouldStartWith("\u2014 witness.example/w1 ");
        line.ShouldEndWith("\n");
        var bytes = Convert.FromBase64String(line.Split(' ')[2].TrimEnd('\n'));
        bytes.Length.ShouldBe(4 + 8 + 64);
        BinaryPrimitives.ReadUInt32BigEndian(bytes).ShouldBe(Witness.CosignatureKeyHash);
        BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(4)).ShouldBe(1679315147ul);
    }

    [Fact]
    public void A_cosignature_with_a_changed_timestamp_is_rejected()
    {
        var line = Witness.Cosign(Checkpoint, At);
        var bytes = Convert.FromBase64String(line.Split(' ')[2].TrimEnd('\n'));
        bytes[11] ^= 1;
        var note = Cosigned($"\u2014 witness.example/w1 {Convert.ToBase64String(bytes)}\n");
        var witness = NoteVerifier.Parse(Witness.CosignatureVerifierKey);
        note.IsSignedBy(witness).ShouldBeFalse();
        note.CosignedAt(witness).ShouldBeNull();
    }

    [Fact]
    public void A_cosignature_of_another_checkpoint_is_rejected()
    {
        var other = Checkpoint with { TreeSize = Checkpoint.TreeSize + 1 };
        var note = Cosigned(Witness.Cosign(other, At));
        note.CosignedAt(NoteVerifier.Parse(Witness.CosignatureVerifierKey)).ShouldBeNull();
    }

    [Fact]
    public void A_cosignature_is_not_a_plain_note_signature_nor_the_other_way_round()
    {
        var note = Cosigned(Witness.Cosign(Checkpoint, At));
        note.IsSignedBy(NoteVerifier.Parse(Witness.VerifierKey)).ShouldBeFalse();
        var plain = SignedNote.Parse(Witness.Sign(Checkpoint.Format()));
        plain.IsSignedBy(NoteVerifier.Parse(Witness.CosignatureVerifierKey)).ShouldBeFalse();
        plain.CosignedAt(NoteVerifier.Parse(Witness.VerifierKey)).ShouldBeNull();
    }

    [Fact]
    public void Of_several_cosignatures_by_a_witness_the_latest_time_is_given()
    {
        var note = Cosigned(Witness.Cosign(Checkpoint, At) + Witness.Cosign(Checkpoint, At.AddHours(1)));
        note.CosignedAt(NoteVerifier.Parse(Witness.CosignatureVerifierKey)).ShouldBe(At.AddHours(1));
    }

    [Fact]
    public void A_validly_signed_cosignature_from_beyond_the_year_9999_does_not_count()
    {
        const ulong farFuture = 300_000_000_000;
        // The key's base64 may itself hold '+': everything after the fourth '+' is the key.
        var seed = Convert.FromBase64String(string.Join('+', Witness.SignerKey.Split('+')[4..]))[1..];
        var message = System.Text.Encoding.UTF8.GetBytes($"cosignature/v1\ntime {farFuture}\n{Checkpoint.Format()}");
        var signer = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
        signer.Init(true, new Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters(seed));
        signer.BlockUpdate(message, 0, message.Length);
        var signature = signer.GenerateSignature();
        var payload = new byte[4 + 8 + 64];
        BinaryPrimitives.WriteUInt32BigEndian(payload, Witness.CosignatureKeyHash);
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(4), farFuture);
        signature.CopyTo(payload, 12);
        var note = Cosigned($"\u2014 witness.example/w1 {Convert.ToBase64String(payload)}\n");
        var witness = NoteVerifier.Parse(Witness.CosignatureVerifierKey);
        IndependentNoteVerifier.Cosignatures(note.Format(), IndependentNoteVerifier.ParseVerifierKey(Witness.CosignatureVerifierKey)).ShouldBe([farFuture]);

        note.CosignedAt(witness).ShouldBeNull();
        note.IsSignedBy(witness).ShouldBeFalse();
    }

    [Fact]
    public void A_time_before_the_epoch_cannot_be_cosigned() =>
        Should.Throw<ArgumentOutOfRangeException>(() => Witness.Cosign(Checkpoint, DateTimeOffset.UnixEpoch.AddSeconds(-1)));
}
