using System.Buffers.Binary;
using System.Text;

namespace R2PTracker.TransparencyLog;

/// <summary>One signature line of a note. <paramref name="Signature"/> is what follows the 4-byte key hash;
/// <paramref name="Line"/> is the whole line, newline included.</summary>
public sealed record NoteSignature(string Name, uint KeyHash, byte[] Signature, string Line);

/// <summary>A c2sp.org/signed-note: a text, a blank line, one or more signature lines.</summary>
public sealed record SignedNote(string Text, IReadOnlyList<NoteSignature> Signatures)
{
    public static SignedNote Parse(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (!NoteFormat.IsValidNoteText(note)) throw Malformed("not UTF-8 text without control characters");
        // The text may itself hold blank lines: the signatures start after the last one.
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) throw Malformed("no blank line before the signatures");
        var text = note[..(split + 1)];
        var block = note[(split + 2)..];
        if (block.Length == 0) throw Malformed("no signature");
        if (!block.EndsWith('\n')) throw Malformed("the last signature line does not end in a newline");
        var lines = block[..^1].Split('\n');
        if (lines.Length > NoteFormat.MaxSignatures) throw Malformed($"more than {NoteFormat.MaxSignatures} signatures");
        return new SignedNote(text, lines.Select(ParseLine).ToList());
    }

    private static NoteSignature ParseLine(string line)
    {
        if (!line.StartsWith(NoteFormat.SignaturePrefix, StringComparison.Ordinal)) throw Malformed($"not a signature line: '{line}'");
        var rest = line[NoteFormat.SignaturePrefix.Length..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0) throw Malformed($"signature line without a signature: '{line}'");
        var name = rest[..space];
        if (!NoteFormat.IsValidName(name)) throw Malformed($"invalid key name in '{line}'");
        var bytes = NoteFormat.DecodeBase64(rest[(space + 1)..]);
        if (bytes is null || bytes.Length < 5) throw Malformed($"signature is not base64 of a key hash and a signature: '{line}'");
        return new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4..], line + "\n");
    }

    /// <summary>
    /// Whether this key signed the note: at least one of its signatures verifies and none fails
    /// (the spec says a failing signature by a known key should reject the whole note).
    /// Type 0x01 verifies Ed25519 over the text; type 0x04 a tlog-cosignature/v1 over the text.
    /// </summary>
    public bool IsSignedBy(NoteVerifier verifier) => Verified(verifier) is { Count: > 0 } times && times.All(t => t is not null);

    /// <summary>The time of this witness's valid cosignature (the latest, if several), else null.</summary>
    public DateTimeOffset? CosignedAt(NoteVerifier witness)
    {
        if (witness.Type != NoteFormat.CosignatureType || !IsSignedBy(witness)) return null;
        return Verified(witness).Max();
    }

    public string Format() => Text + "\n" + string.Concat(Signatures.Select(s => s.Line));

    /// <summary>This note with more signature lines; a line already present is not repeated.</summary>
    public SignedNote With(IEnumerable<NoteSignature> more)
    {
        var all = Signatures.ToList();
        foreach (var signature in more)
            if (!all.Any(s => s.Line == signature.Line)) all.Add(signature);
        return this with { Signatures = all };
    }

    /// <summary>For each signature by this key: when it verifies, its time (the epoch for a plain signature), else null.</summary>
    private List<DateTimeOffset?> Verified(NoteVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        var results = new List<DateTimeOffset?>();
        var textBytes = Encoding.UTF8.GetBytes(Text);
        foreach (var s in Signatures.Where(s => s.Name == verifier.Name && s.KeyHash == verifier.KeyHash))
        {
            if (verifier.Type == NoteFormat.Ed25519Type)
            {
                results.Add(verifier.Verify(textBytes, s.Signature) ? DateTimeOffset.UnixEpoch : null);
                continue;
            }
            var timestamp = s.Signature.Length >= 8 ? BinaryPrimitives.ReadUInt64BigEndian(s.Signature) : ulong.MaxValue;
            // The spec allows up to 2^63 - 1; times past the year 9999 cannot be told, so they do not count.
            var valid = timestamp <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()
                && verifier.Verify(NoteFormat.CosignedMessage(timestamp, Text), s.Signature.AsSpan(8));
            results.Add(valid ? DateTimeOffset.FromUnixTimeSeconds((long)timestamp) : null);
        }
        return results;
    }

    private static FormatException Malformed(string why) => new($"malformed note: {why}");
}
