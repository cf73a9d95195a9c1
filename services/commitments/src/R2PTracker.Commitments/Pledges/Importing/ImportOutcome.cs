namespace R2PTracker.Commitments.Pledges.Importing;

/// <summary>A line the import refused: its number (from 1), the field, and why.</summary>
public sealed record ImportLineError(long Line, string Field, string Message);

/// <summary>What an import wrote: pledges that got events, events appended, lines already in the store.</summary>
public sealed record ImportResult(long Pledges, long Events, long Skipped);

/// <summary>Either a result, or the first line errors and how many more there were, or a write that lost a race.</summary>
public sealed record ImportOutcome(ImportResult? Result, IReadOnlyList<ImportLineError> Errors, long MoreErrors, string? Conflict)
{
    public static ImportOutcome Done(ImportResult result) => new(result, [], 0, null);
}

/// <summary>Keeps the first errors and counts the rest.</summary>
public sealed class ImportErrors(int listed)
{
    private readonly List<ImportLineError> _first = [];

    public long Count { get; private set; }

    public IReadOnlyList<ImportLineError> First => _first;

    public void Add(long line, string field, string message)
    {
        Count++;
        if (_first.Count < listed) _first.Add(new ImportLineError(line, field, message));
    }

    /// <summary>Errors known only by their number (a line's own validation keeps only its first ones).</summary>
    public void CountMore(int errors) => Count += errors;
}
