namespace R2PTracker.TransparencyLog;

/// <summary>A perfect subtree of the log: it covers the leaves [Index &lt;&lt; Level, (Index + 1) &lt;&lt; Level).</summary>
public readonly record struct Subtree(int Level, long Index)
{
    public long Start => Index << Level;
    public long End => (Index + 1) << Level;
    public long Size => 1L << Level;
}

/// <summary>The leaves [Start, End) of the log.</summary>
public readonly record struct LeafRange(long Start, long End)
{
    public long Size => End - Start;
}
