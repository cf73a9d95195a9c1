namespace R2PTracker.Commitments.Pledges.Importing;

/// <summary>Section "Import": POST /api/import and the import command.</summary>
public sealed class ImportOptions : IValidatedOptions
{
    public const string Section = "Import";

    /// <summary>The largest body POST /api/import accepts (every other endpoint keeps 64 KiB).</summary>
    public long MaxBodyBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Pledges written in one transaction (each still all-or-nothing).</summary>
    public int PledgesPerTransaction { get; set; } = 10;

    /// <summary>Transactions written at once.</summary>
    public int Writers { get; set; } = 3;

    /// <summary>Line errors listed in the answer; the rest are counted.</summary>
    public int MaxListedErrors { get; set; } = 100;

    /// <summary>
    /// After an import of at least this many events, PostgreSQL's statistics of the read model are
    /// taken again (and its small tables vacuumed), so that the first reads after a bulk load are
    /// planned for the tables as they now are instead of as they were before it.
    /// </summary>
    public long AnalyzeAfterEvents { get; set; } = 10_000;

    public IEnumerable<string> Problems()
    {
        if (MaxBodyBytes < 1) yield return "MaxBodyBytes must be positive.";
        if (PledgesPerTransaction < 1) yield return "PledgesPerTransaction must be positive.";
        if (Writers < 1) yield return "Writers must be positive.";
        if (MaxListedErrors < 1) yield return "MaxListedErrors must be positive.";
        if (AnalyzeAfterEvents < 0) yield return "AnalyzeAfterEvents must not be negative (0: after every import).";
    }
}
