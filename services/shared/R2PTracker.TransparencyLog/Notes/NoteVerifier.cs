using NSec.Cryptography;

namespace R2PTracker.TransparencyLog;

/// <summary>
/// A public key in the signed-note verifier form "&lt;name&gt;+&lt;8 hex key hash&gt;+&lt;base64(type ‖ public key)&gt;",
/// type 0x01 (Ed25519 note signatures) or 0x04 (tlog-cosignature Ed25519 cosignatures).
/// </summary>
public sealed class NoteVerifier
{
    private readonly PublicKey _publicKey;

    private NoteVerifier(string name, uint keyHash, byte type, PublicKey publicKey, string verifierKey)
    {
        Name = name;
        KeyHash = keyHash;
        Type = type;
        _publicKey = publicKey;
        VerifierKey = verifierKey;
    }

    public string Name { get; }
    public uint KeyHash { get; }
    public byte Type { get; }
    public string VerifierKey { get; }

    public static NoteVerifier Parse(string verifierKey)
    {
        ArgumentNullException.ThrowIfNull(verifierKey);
        var parts = verifierKey.Split('+', 3);
        if (parts.Length != 3) throw Malformed("needs name+hash+key");
        var (name, hashText, keyText) = (parts[0], parts[1], parts[2]);
        if (!NoteFormat.IsValidName(name)) throw Malformed("invalid key name");
        if (!NoteFormat.TryParseKeyHash(hashText, out var hash)) throw Malformed("key hash is not 8 hex digits");
        var key = NoteFormat.DecodeBase64(keyText) ?? throw Malformed("key is not base64");
        if (key.Length == 0 || key[0] is not (NoteFormat.Ed25519Type or NoteFormat.CosignatureType)) throw Malformed("unknown key type");
        if (key.Length != 33) throw Malformed("an Ed25519 public key has 32 bytes");
        if (NoteFormat.KeyHash(name, key[0], key.AsSpan(1)) != hash) throw Malformed("key hash does not match the key");
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, key.AsSpan(1), KeyBlobFormat.RawPublicKey, out var publicKey) || publicKey is null)
            throw Malformed("not an Ed25519 public key");
        return new NoteVerifier(name, hash, key[0], publicKey, verifierKey);
    }

    internal bool Verify(byte[] message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureAlgorithm.Ed25519.SignatureSize
        && SignatureAlgorithm.Ed25519.Verify(_publicKey, message, signature);

    private static FormatException Malformed(string why) => new($"malformed verifier key: {why}");
}
