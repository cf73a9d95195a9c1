namespace R2PTracker.Gateway.Dashboard.Log;

/// <summary>
/// What the verify page shows: the log's key, its latest checkpoint and its witnesses, each read on
/// its own so that one the log cannot give leaves the others (and the commands) on the page.
/// </summary>
public sealed record VerifyPageData(
    string BaseUrl, string? Key, bool KeyUnavailable, LogCheckpoint? Checkpoint, bool CheckpointUnavailable,
    IReadOnlyList<WitnessView> Witnesses, bool WitnessesUnavailable)
{
    public bool SomethingUnavailable => KeyUnavailable || CheckpointUnavailable || WitnessesUnavailable;

    /// <summary>The key as a shell word for the commands (a placeholder until the log gives one).</summary>
    public string KeyArgument => Key is null ? "KEY" : ShellWord(Key);

    /// <summary>An address of this tracker as a shell word.</summary>
    public string Url(string path = "") => ShellWord(BaseUrl + path);

    public static async Task<VerifyPageData> ReadAsync(CommitmentsClient commitments, string baseUrl, CancellationToken ct)
    {
        var (key, keyUnavailable) = await Try(() => commitments.LogKeyAsync(ct), ct);
        var (checkpoint, checkpointUnavailable) = await Try(() => commitments.CheckpointAsync(ct), ct);
        var (witnesses, witnessesUnavailable) = await Try(() => commitments.WitnessesAsync(ct), ct);
        return new VerifyPageData(baseUrl, key, keyUnavailable, checkpoint, checkpointUnavailable, witnesses ?? [], witnessesUnavailable);
    }

    private static async Task<(T? Value, bool Unavailable)> Try<T>(Func<Task<T>> read, CancellationToken ct)
    {
        try
        {
            return (await read(), false);
        }
        catch (Exception e) when (LogReads.Unavailable(e, ct))
        {
            return (default, true);
        }
    }

    /// <summary>Single-quoted unless plainly safe: a key or host is copied into a shell as it is shown.</summary>
    private static string ShellWord(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || "+/=.:_-@%".Contains(c)) ? text : "'" + text.Replace("'", "'\\''") + "'";
}
