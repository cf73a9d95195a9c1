using System.Globalization;
using Microsoft.Extensions.Localization;

namespace R2PTracker.Gateway.Dashboard.Log;

/// <summary>
/// The log's latest signed checkpoint as commitments serves it (a C2SP signed note): the text is
/// shown as it is, for anyone to check its signatures; only the tree size and root hash are read
/// out of it, to label the page and to ask for proofs against that tree.
/// </summary>
public sealed record LogCheckpoint(string Origin, long TreeSize, string RootHash, string Note)
{
    /// <summary>The checkpoint in a note, or null if the note does not start with origin, tree size and root hash.</summary>
    public static LogCheckpoint? Parse(string note)
    {
        var lines = note.Split('\n');
        if (lines.Length < 3 || lines[0].Length == 0) return null;
        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return null;
        if (lines[2].Length == 0) return null;
        return new LogCheckpoint(lines[0], size, lines[2], note);
    }

    /// <summary>Whether the entry at <paramref name="logIndex"/> is in this tree, so a proof of it against this tree exists.</summary>
    public bool Covers(long? logIndex) => logIndex is >= 0 && logIndex < TreeSize;
}

/// <summary>A configured witness and the latest tree it cosigned.</summary>
public sealed record WitnessView(string Name, string? Key, long? TreeSize, DateTimeOffset? CosignedAt, bool SeenCurrent)
{
    /// <summary>Where the witness stands, in the words the verify page uses, in the reader's language.</summary>
    public string State(IStringLocalizer t) => this switch
    {
        { SeenCurrent: true } => t["Verify.Witness.SeenCurrent"],
        { TreeSize: { } size } => CosignedAt is { } at
            ? t["Verify.Witness.LastSawOn", size.ToString(CultureInfo.InvariantCulture), Localisation.ReaderDates.Moment(at)]
            : t["Verify.Witness.LastSaw", size.ToString(CultureInfo.InvariantCulture)],
        _ => t["Verify.Witness.NotYet"],
    };
}
