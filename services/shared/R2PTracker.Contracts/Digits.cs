namespace R2PTracker.Contracts;

/// <summary>
/// One input rule for the dates and numbers readers and staff type: ASCII digits, or Khmer digits
/// (U+17E0 … U+17E9, "២០១៦"), which are read as the same ASCII digits. Every other script's digits are
/// left as they are, for the ASCII-only parsers to refuse (a 400, never a 500). Stored and shown values
/// stay in ASCII: only what comes in is translated.
/// </summary>
public static class Digits
{
    private const char KhmerZero = '\u17E0', KhmerNine = '\u17E9';

    public static string ToAscii(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange(KhmerZero, KhmerNine)) return text;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= KhmerZero and <= KhmerNine ? (char)('0' + (c - KhmerZero)) : c;
            }
        });
    }
}
