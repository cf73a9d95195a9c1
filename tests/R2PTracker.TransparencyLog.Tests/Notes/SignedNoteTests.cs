namespace R2PTracker.TransparencyLog.Tests.Notes;

public sealed class SignedNoteTests
{
    private static readonly NoteVerifier Peter = NoteVerifier.Parse(GoVectors.PeterVerifierKey);
    private static readonly NoteVerifier Enoch = NoteVerifier.Parse(GoVectors.EnochVerifierKey);

    [Fact]
    public void Signing_the_go_text_with_the_go_key_gives_the_go_note()
    {
        var note = NoteSigner.Parse(GoVectors.PeterSignerKey).Sign(GoVectors.Text);
        note.ShouldBe(GoVectors.Text + "\n" + GoVectors.PeterSignature);
    }

    [Fact]
    public void The_go_note_with_two_signatures_verifies_for_each_key()
    {
        var note = SignedNote.Parse(GoVectors.Text + "\n" + GoVectors.PeterSignature + GoVectors.EnochSignature);
        note.Text.ShouldBe(GoVectors.Text);
        note.Signatures.Select(s => (s.Name, s.KeyHash)).ShouldBe([("PeterNeumann", 0xc74f20a3u), ("EnochRoot", 0xaf0cfe78u)]);
        note.IsSignedBy(Peter).ShouldBeTrue();
        note.IsSignedBy(Enoch).ShouldBeTrue();
        note.Format().ShouldBe(GoVectors.Text + "\n" + GoVectors.PeterSignature + GoVectors.EnochSignature);
    }

    [Fact]
    public void A_note_signed_by_the_library_verifies_with_an_independent_ed25519()
    {
        var signer = NoteSigner.Generate("r2p.example/log");
        foreach (var text in new[] { "a\n", "checkpoint\n42\nAAAA\n", "with\n\nan empty line\n", "ünïcødé ✓ 𝄞\n" })
        {
            var note = signer.Sign(text);
            IndependentNoteVerifier.HasSignature(note, IndependentNoteVerifier.ParseVerifierKey(signer.VerifierKey)).ShouldBeTrue(text);
            var parsed = SignedNote.Parse(note);
            parsed.Text.ShouldBe(text);
            parsed.IsSignedBy(NoteVerifier.Parse(signer.VerifierKey)).ShouldBeTrue(text);
        }
    }

    [Fact]
    public void A_changed_text_is_not_signed()
    {
        var tampered = SignedNote.Parse(GoVectors.Text.Replace("problem,", "problem;") + "\n" + GoVectors.PeterSignature);
        tampered.IsSignedBy(Peter).ShouldBeFalse();
    }

    [Fact]
    public void A_note_is_not_signed_by_another_key()
    {
        var note = SignedNote.Parse(GoVectors.Text + "\n" + GoVectors.PeterSignature);
        note.IsSignedBy(Enoch).ShouldBeFalse();
        note.IsSignedBy(NoteVerifier.Parse(NoteSigner.Generate("PeterNeumann").VerifierKey)).ShouldBeFalse();
    }

    [Fact]
    public void A_signature_under_another_name_does_not_count_for_the_key()
    {
        var renamed = SignedNote.Parse(GoVectors.Text + "\n" + GoVectors.PeterSignature.Replace("PeterNeumann", "CarmenSandiego"));
        renamed.IsSignedBy(Peter).ShouldBeFalse();
    }

    [Fact]
    public void A_failing_signature_by_the_key_rejects_the_note_even_beside_a_valid_one()
    {
        var bad = GoVectors.PeterSignature[..60] + "ABCD" + GoVectors.PeterSignature[60..];
        SignedNote.Parse(GoVectors.Text + "\n" + bad).IsSignedBy(Peter).ShouldBeFalse();
        SignedNote.Parse(GoVectors.Text + "\n" + GoVectors.PeterSignature + bad).IsSignedBy(Peter).ShouldBeFalse();
    }

    [Fact]
    public void Signatures_by_unknown_keys_are_ignored()
    {
        var other = NoteSigner.Generate("someone.else").Sign(GoVectors.Text);
        var otherLine = other[(GoVectors.Text.Length + 1)..];
        SignedNote.Parse(GoVectors.Text + "\n" + otherLine + GoVectors.PeterSignature).IsSignedBy(Peter).ShouldBeTrue();
    }

    [Fact]
    public void With_adds_signature_lines_once()
    {
        var peterOnly = SignedNote.Parse(GoVectors.Text + "\n" + GoVectors.PeterSignature);
        var both = SignedNote.Parse(GoVectors.Text + "\n" + GoVectors.PeterSignature + GoVectors.EnochSignature);
        var merged = peterOnly.With(both.Signatures).With(both.Signatures);
        merged.Format().ShouldBe(both.Format());
    }

    public static TheoryData<string> MalformedNotes() =>
    [
        // Go's note_test.go badMsgs
        GoVectors.Text,
        GoVectors.Text + "\n",
        GoVectors.Text + "\n" + GoVectors.PeterSignature[..^1],
        "\x01" + GoVectors.Text + "\n" + GoVectors.PeterSignature,
        "\ud800" + GoVectors.Text + "\n" + GoVectors.PeterSignature,
        GoVectors.Text + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        GoVectors.Text + "\n" + GoVectors.PeterSignature + "Unexpected line.\n",
        // and more
        GoVectors.Text + "\n" + string.Concat(Enumerable.Repeat(GoVectors.PeterSignature, 101)),
        GoVectors.Text + "\n" + "- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        GoVectors.Text + "\n" + "\u2014 PeterNeumann\n",
        GoVectors.Text + "\n" + "\u2014 PeterNeumann \n",
        GoVectors.Text + "\n" + "\u2014 PeterNeumann AAAA\n",
        GoVectors.Text + "\n" + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM= \n",
        GoVectors.Text + "\n" + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n",
        GoVectors.Text + "\n" + "\u2014 Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        GoVectors.Text + "\n" + GoVectors.PeterSignature.Replace("\n", "\r\n"),
        "",
    ];

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Malformed_notes_are_refused(string note) =>
        Should.Throw<FormatException>(() => SignedNote.Parse(note));

    [Fact]
    public void A_note_may_carry_a_hundred_signatures() =>
        SignedNote.Parse(GoVectors.Text + "\n" + string.Concat(Enumerable.Repeat(GoVectors.PeterSignature, 100))).Signatures.Count.ShouldBe(100);

    [Theory]
    [InlineData("no final newline")]
    [InlineData("tab\there\n")]
    [InlineData("")]
    public void Texts_that_cannot_be_a_note_are_not_signed(string text) =>
        Should.Throw<ArgumentException>(() => NoteSigner.Parse(GoVectors.PeterSignerKey).Sign(text));
}
