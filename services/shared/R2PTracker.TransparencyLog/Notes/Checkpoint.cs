using System.Globalization;

namespace R2PTracker.TransparencyLog;

/// <summary>
/// The body of a c2sp.org/tlog-checkpoint: origin, decimal tree size, base64 root hash, then optional
/// extension lines, each ending in a newline. Two checkpoints are equal when their origin, size,
/// root hash bytes and extension lines are.
/// </summary>
public sealed record Checkpoint(string Origin, long TreeSize, byte[] RootHash, IReadOnlyList<string> Extensions)
{
    public Checkpoint(string origin, long treeSize, byte[] rootHash) : this(origin, treeSize, rootHash, []) { }

    public string Format()
    {
        if (string.IsNullOrEmpty(Origin) || Origin.Contains('\n')) throw new InvalidOperationException("a checkpoint origin is one non-empty line");
        if (TreeSize < 0) throw new InvalidOperationException("a tree size cannot be negative");
        if (RootHash is not { Length: Merkle.HashSize }) throw new InvalidOperationException($"a root hash has {Merkle.HashSize} bytes");
        if (Extensions.Any(e => string.IsNullOrEmpty(e) || e.Contains('\n'))) throw new InvalidOperationException("extension lines are non-empty single lines");
        return string.Concat([Origin, "\n", TreeSize.ToString(CultureInfo.InvariantCulture), "\n", Convert.ToBase64String(RootHash), "\n", .. Extensions.Select(e => e + "\n")]);
    }

    public static Checkpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.EndsWith('\n')) throw Malformed("does not end in a newline");
        if (!NoteFormat.IsValidNoteText(text)) throw Malformed("holds control characters");
        var lines = text[..^1].Split('\n');
        if (lines.Length < 3) throw Malformed("needs origin, tree size and root hash lines");
        if (lines.Any(l => l.Length == 0)) throw Malformed("has an empty line");
        var size = lines[1];
        if (!size.All(char.IsAsciiDigit) || (size.Length > 1 && size[0] == '0')
            || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var treeSize))
            throw Malformed($"tree size '{size}' is not a decimal without leading zeros");
        var root = NoteFormat.DecodeBase64(lines[2]);
        if (root is not { Length: Merkle.HashSize }) throw Malformed($"root hash is not base64 of {Merkle.HashSize} bytes");
        return new Checkpoint(lines[0], treeSize, root, lines[3..]);
    }

    public bool Equals(Checkpoint? other) =>
        other is not null && Origin == other.Origin && TreeSize == other.TreeSize
        && RootHash.AsSpan().SequenceEqual(other.RootHash) && Extensions.SequenceEqual(other.Extensions);

    public override int GetHashCode() => HashCode.Combine(Origin, TreeSize, Convert.ToBase64String(RootHash));

    private static FormatException Malformed(string why) => new($"malformed checkpoint: {why}");
}
