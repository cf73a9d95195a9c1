using R2PTracker.TransparencyLog;

namespace R2PTracker.Verify.Live;

internal static class LogHashes
{
    /// <summary>Base64 hashes from the log, or null when one is not a 32-byte hash.</summary>
    public static List<byte[]>? Decode(IEnumerable<string> hashes)
    {
        var result = new List<byte[]>();
        foreach (var text in hashes)
        {
            var bytes = TryBase64(text);
            if (bytes is not { Length: Merkle.HashSize }) return null;
            result.Add(bytes);
        }
        return result;
    }

    public static byte[]? TryBase64(string? text)
    {
        if (text is null) return null;
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
