namespace R2PTracker.Verify.Commands;

/// <summary>r2p-verify [FILE | -]: every stream's hash chain, offline.</summary>
public static class ChainCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        using TextReader input = args is [var path, ..] && path != "-" ? OpenOrUsage(path) : Console.In;
        var results = await ChainVerifier.VerifyAsync(input);
        Print(results, output);
        var broken = results.Count(r => !r.Valid);
        output.WriteLine(broken == 0 ? $"all {results.Count} stream(s) verified" : $"{broken} of {results.Count} stream(s) broken");
        return broken == 0 ? 0 : 1;
    }

    public static void Print(IEnumerable<StreamResult> results, TextWriter output)
    {
        output.WriteLine($"{"stream",-32} {"events",6}  {"result",-22} head hash");
        foreach (var r in results)
        {
            var verdict = r.Valid ? "ok" : $"BROKEN at version {r.BrokenAtVersion}";
            output.WriteLine($"{r.StreamId,-32} {r.Events,6}  {verdict,-22} {r.HeadHash}");
        }
    }

    internal static StreamReader OpenOrUsage(string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }
}
