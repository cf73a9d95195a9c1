using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace R2PTracker.TransparencyLog;

/// <summary>The syntax rules of c2sp.org/signed-note shared by keys, notes and checkpoints.</summary>
internal static class NoteFormat
{
    public const byte Ed25519Type = 0x01;
    public const byte CosignatureType = 0x04;
    public const string SignaturePrefix = "\u2014 ";
    public const int MaxSignatures = 100;

    /// <summary>Non-empty, no Unicode spaces, no '+'; and (as it ends up in a note) no control characters.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && IsWellFormed(name)
        && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '+');

    /// <summary>Valid UTF-8 once encoded (no lone surrogates) and no ASCII control character but newline.</summary>
    public static bool IsValidNoteText(string text) =>
        IsWellFormed(text) && !text.Any(c => c < 0x20 && c != '\n');

    public static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>Key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.</summary>
    public static uint KeyHash(string name, byte type, ReadOnlySpan<byte> publicKey)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = (byte)'\n';
        input[nameBytes.Length + 1] = type;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>Standard base64, and only its canonical form: no whitespace, no stray bits in the padding.</summary>
    public static byte[]? DecodeBase64(string text)
    {
        var buffer = new byte[text.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written)) return null;
        var bytes = buffer[..written];
        return Convert.ToBase64String(bytes) == text ? bytes : null;
    }

    /// <summary>Exactly eight hex digits, as keys write their key hash.</summary>
    public static bool TryParseKeyHash(string text, out uint hash)
    {
        hash = 0;
        return text.Length == 8 && text.All(char.IsAsciiHexDigit)
            && uint.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, null, out hash);
    }

    /// <summary>The message a tlog-cosignature/v1 Ed25519 cosignature signs.</summary>
    public static byte[] CosignedMessage(ulong timestamp, string body) =>
        Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp}\n{body}");
}
