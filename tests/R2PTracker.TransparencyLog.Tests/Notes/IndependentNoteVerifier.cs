using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace R2PTracker.TransparencyLog.Tests.Notes;

/// <summary>
/// A second reading of c2sp.org/signed-note and c2sp.org/tlog-cosignature, on BouncyCastle's Ed25519,
/// sharing no code with the library: if both agree, neither has misread the spec alone.
/// </summary>
internal static class IndependentNoteVerifier
{
    public sealed record Key(string Name, uint Id, byte Type, byte[] PublicKey);

    public static Key ParseVerifierKey(string vkey)
    {
        var first = vkey.IndexOf('+');
        var second = vkey.IndexOf('+', first + 1);
        var name = vkey[..first];
        var id = Convert.ToUInt32(vkey[(first + 1)..second], 16);
        var material = Convert.FromBase64String(vkey[(second + 1)..]);
        var key = new Key(name, id, material[0], material[1..]);
        if (KeyId(name, key.Type, key.PublicKey) != id) throw new InvalidOperationException("key ID does not match");
        return key;
    }

    public static uint KeyId(string name, byte type, byte[] publicKey) =>
        BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData([.. Encoding.UTF8.GetBytes(name), 0x0A, type, .. publicKey]));

    /// <summary>Whether some signature line by <paramref name="key"/> is a valid Ed25519 signature of the note text.</summary>
    public static bool HasSignature(string note, Key key) => SignatureLines(note, key).Any(s => Ed25519Verify(key.PublicKey, Text(note), s));

    /// <summary>The timestamps of the valid cosignatures by <paramref name="key"/>.</summary>
    public static IEnumerable<ulong> Cosignatures(string note, Key key)
    {
        foreach (var s in SignatureLines(note, key))
        {
            if (s.Length != 8 + 64) continue;
            var timestamp = BinaryPrimitives.ReadUInt64BigEndian(s);
            var message = Encoding.UTF8.GetBytes("cosignature/v1\n" + "time " + timestamp + "\n").Concat(Text(note)).ToArray();
            if (Ed25519Verify(key.PublicKey, message, s[8..])) yield return timestamp;
        }
    }

    private static byte[] Text(string note) => Encoding.UTF8.GetBytes(note[..(note.LastIndexOf("\n\n", StringComparison.Ordinal) + 1)]);

    private static IEnumerable<byte[]> SignatureLines(string note, Key key)
    {
        var block = note[(note.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        foreach (var line in block.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields is not ["\u2014", var name, var base64] || name != key.Name) continue;
            var bytes = Convert.FromBase64String(base64);
            if (BinaryPrimitives.ReadUInt32BigEndian(bytes) == key.Id) yield return bytes[4..];
        }
    }

    private static bool Ed25519Verify(byte[] publicKey, byte[] message, byte[] signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }
}
