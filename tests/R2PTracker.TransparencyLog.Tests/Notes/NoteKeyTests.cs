namespace R2PTracker.TransparencyLog.Tests.Notes;

public sealed class NoteKeyTests
{
    [Fact]
    public void The_go_signer_key_parses_to_its_name_hash_and_verifier_key()
    {
        var signer = NoteSigner.Parse(GoVectors.PeterSignerKey);
        signer.Name.ShouldBe("PeterNeumann");
        signer.KeyHash.ShouldBe(0xc74f20a3u);
        signer.SignerKey.ShouldBe(GoVectors.PeterSignerKey);
        signer.VerifierKey.ShouldBe(GoVectors.PeterVerifierKey);
    }

    [Fact]
    public void The_go_verifier_keys_parse()
    {
        var peter = NoteVerifier.Parse(GoVectors.PeterVerifierKey);
        (peter.Name, peter.KeyHash, peter.Type, peter.VerifierKey).ShouldBe(("PeterNeumann", 0xc74f20a3u, (byte)0x01, GoVectors.PeterVerifierKey));
        NoteVerifier.Parse(GoVectors.EnochVerifierKey).KeyHash.ShouldBe(0xaf0cfe78u);
    }

    [Fact]
    public void Every_substring_or_one_character_change_of_a_verifier_key_is_refused()
    {
        foreach (var mangled in Manglings(GoVectors.PeterVerifierKey))
            Should.Throw<FormatException>(() => NoteVerifier.Parse(mangled), mangled);
    }

    [Fact]
    public void Every_substring_or_one_character_change_of_a_signer_key_is_refused()
    {
        foreach (var mangled in Manglings(GoVectors.PeterSignerKey))
            Should.Throw<FormatException>(() => NoteSigner.Parse(mangled), mangled);
    }

    [Theory]
    [InlineData("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")] // Go: wrong key length, hash adjusted
    [InlineData("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // Go: unknown algorithm, hash adjusted
    [InlineData("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T W")]
    [InlineData("PeterNeumann+c74f20a3+ ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann+0c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("")]
    public void Malformed_verifier_keys_are_refused(string vkey) =>
        Should.Throw<FormatException>(() => NoteVerifier.Parse(vkey));

    [Fact]
    public void A_verifier_key_of_an_unsupported_type_is_refused_even_with_a_matching_hash()
    {
        var signer = NoteSigner.Parse(GoVectors.PeterSignerKey);
        var pub = Convert.FromBase64String(string.Join('+', signer.VerifierKey.Split('+')[2..]))[1..];
        var ecdsaType = $"PeterNeumann+{IndependentNoteVerifier.KeyId("PeterNeumann", 0x02, pub):x8}+{Convert.ToBase64String([0x02, .. pub])}";
        Should.Throw<FormatException>(() => NoteVerifier.Parse(ecdsaType));
    }

    [Theory]
    [InlineData("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF")]
    [InlineData("PRIVATE+KEY+Peter Neumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")]
    [InlineData("PUBLIC+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")]
    [InlineData("PRIVATE+KEY+PeterNeumann+c74f20a3")]
    [InlineData("PRIVATE+KEY++c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")]
    public void Malformed_signer_keys_are_refused(string skey) =>
        Should.Throw<FormatException>(() => NoteSigner.Parse(skey));

    [Fact]
    public void A_generated_key_round_trips_through_its_strings()
    {
        var signer = NoteSigner.Generate("r2p.example/log");
        NoteSigner.Parse(signer.SignerKey).VerifierKey.ShouldBe(signer.VerifierKey);
        var verifier = NoteVerifier.Parse(signer.VerifierKey);
        (verifier.Name, verifier.KeyHash, verifier.Type).ShouldBe(("r2p.example/log", signer.KeyHash, (byte)0x01));
        var witness = NoteVerifier.Parse(signer.CosignatureVerifierKey);
        (witness.Type, witness.KeyHash).ShouldBe(((byte)0x04, signer.CosignatureKeyHash));
        witness.KeyHash.ShouldNotBe(signer.KeyHash);
    }

    [Fact]
    public void Key_hashes_are_those_an_independent_reading_of_the_spec_computes()
    {
        var signer = NoteSigner.Generate("witness.example/w1");
        IndependentNoteVerifier.ParseVerifierKey(signer.VerifierKey).Id.ShouldBe(signer.KeyHash);
        IndependentNoteVerifier.ParseVerifierKey(signer.CosignatureVerifierKey).Id.ShouldBe(signer.CosignatureKeyHash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a+b")]
    [InlineData("a\u00a0b")]
    [InlineData("a\nb")]
    [InlineData("a\u0001b")]
    public void Names_with_spaces_or_plus_cannot_make_keys(string name) =>
        Should.Throw<ArgumentException>(() => NoteSigner.Generate(name));

    private static IEnumerable<string> Manglings(string key)
    {
        for (var i = 0; i <= key.Length; i++)
            for (var j = i + 1; j <= key.Length; j++)
                if (i != 0 || j != key.Length) yield return key[i..j];
        for (var i = 0; i < key.Length; i++)
            yield return key[..i] + (char)(key[i] + 1) + key[(i + 1)..];
    }
}
