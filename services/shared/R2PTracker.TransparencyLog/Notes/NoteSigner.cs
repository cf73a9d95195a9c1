using System.Buffers.Binary;
using System.Text;
using NSec.Cryptography;

namespace R2PTracker.TransparencyLog;

/// <summary>
/// An Ed25519 signing key in the form of golang.org/x/mod/sumdb/note:
/// "PRIVATE+KEY+&lt;name&gt;+&lt;8 hex key hash&gt;+&lt;base64(0x01 ‖ 32-byte seed)&gt;".
/// </summary>
public sealed class NoteSigner
{
    private const string Prefix = "PRIVATE+KEY+";
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly byte[] _seed;
    private readonly byte[] _publicKey;

    private NoteSigner(string name, byte[] seed)
    {
        using var key = Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        Name = name;
        _seed = seed;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyHash = NoteFormat.KeyHash(name, NoteFormat.Ed25519Type, _publicKey);
        CosignatureKeyHash = NoteFormat.KeyHash(name, NoteFormat.CosignatureType, _publicKey);
    }

    public string Name { get; }
    public uint KeyHash { get; }

    /// <summary>The key ID of this key's tlog-cosignature signatures (type 0x04).</summary>
    public uint CosignatureKeyHash { get; }

    public string SignerKey => $"{Prefix}{Name}+{KeyHash:x8}+{Convert.ToBase64String([NoteFormat.Ed25519Type, .. _seed])}";
    public string VerifierKey => $"{Name}+{KeyHash:x8}+{Convert.ToBase64String([NoteFormat.Ed25519Type, .. _publicKey])}";
    public string CosignatureVerifierKey => $"{Name}+{CosignatureKeyHash:x8}+{Convert.ToBase64String([NoteFormat.CosignatureType, .. _publicKey])}";

    public static NoteSigner Parse(string signerKey)
    {
        ArgumentNullException.ThrowIfNull(signerKey);
        if (!signerKey.StartsWith(Prefix, StringComparison.Ordinal)) throw Malformed("does not start with PRIVATE+KEY+");
        // The base64 part may itself contain '+', so split off only the fields before it.
        var parts = signerKey[Prefix.Length..].Split('+', 3);
        if (parts.Length != 3) throw Malformed("needs name+hash+key");
        var (name, hashText, keyText) = (parts[0], parts[1], parts[2]);
        if (!NoteFormat.IsValidName(name)) throw Malformed("invalid key name");
        if (!NoteFormat.TryParseKeyHash(hashText, out var hash)) throw Malformed("key hash is not 8 hex digits");
        var key = NoteFormat.DecodeBase64(keyText) ?? throw Malformed("key is not base64");
        if (key.Length != 33 || key[0] != NoteFormat.Ed25519Type) throw Malformed("not an Ed25519 key (0x01 and a 32-byte seed)");
        var signer = new NoteSigner(name, key[1..]);
        if (signer.KeyHash != hash) throw Malformed("key hash does not match the key");
        return signer;
    }

    public static NoteSigner Generate(string name)
    {
        if (!NoteFormat.IsValidName(name)) throw new ArgumentException($"invalid key name '{name}': it must be non-empty, without spaces or '+'", nameof(name));
        using var key = Key.Create(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new NoteSigner(name, key.Export(KeyBlobFormat.RawPrivateKey));
    }

    /// <summary>Signs <paramref name="text"/> and returns the whole signed note.</summary>
    public string Sign(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.EndsWith('\n') || !NoteFormat.IsValidNoteText(text))
            throw new ArgumentException("note text must end in a newline and hold no control characters but newlines", nameof(text));
        var signature = SignBytes(Encoding.UTF8.GetBytes(text));
        var payload = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, KeyHash);
        signature.CopyTo(payload, 4);
        return $"{text}\n{NoteFormat.SignaturePrefix}{Name} {Convert.ToBase64String(payload)}\n";
    }

    /// <summary>One tlog-cosignature/v1 signature line (ending in a newline) over the checkpoint, as of <paramref name="time"/>.</summary>
    public string Cosign(Checkpoint checkpoint, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var seconds = time.ToUnixTimeSeconds();
        ArgumentOutOfRangeException.ThrowIfNegative(seconds, nameof(time));
        var signature = SignBytes(NoteFormat.CosignedMessage((ulong)seconds, checkpoint.Format()));
        var payload = new byte[4 + 8 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, CosignatureKeyHash);
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(4), (ulong)seconds);
        signature.CopyTo(payload, 12);
        return $"{NoteFormat.SignaturePrefix}{Name} {Convert.ToBase64String(payload)}\n";
    }

    private byte[] SignBytes(byte[] message)
    {
        using var key = Key.Import(Ed25519, _seed, KeyBlobFormat.RawPrivateKey);
        return Ed25519.Sign(key, message);
    }

    private static FormatException Malformed(string why) => new($"malformed signer key: {why}");
}
