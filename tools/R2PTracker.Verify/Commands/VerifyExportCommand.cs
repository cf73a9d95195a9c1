using R2PTracker.Verify.Export;

namespace R2PTracker.Verify.Commands;

/// <summary>verify-export FILE [--checkpoint FILE] --key KEY</summary>
public static class VerifyExportCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var a = Arguments.Parse(args, new HashSet<string> { "--checkpoint", "--key" }, new HashSet<string>());
        var path = a.Single("export file");
        var key = Keys.LogKey(a.Required("--key"));
        var checkpoint = a.Optional("--checkpoint") is { } file ? Keys.ReadFile(file) : null;
        using TextReader input = path == "-" ? Console.In : ChainCommand.OpenOrUsage(path);
        var report = await ExportVerifier.VerifyAsync(input, key, checkpoint);
        return Print(report, output);
    }

    public static int Print(ExportReport report, TextWriter output)
    {
        var c = report.Checkpoint;
        output.WriteLine($"checkpoint  {c.Origin} size {c.TreeSize} root {Convert.ToBase64String(c.RootHash)}");
        output.WriteLine($"events      {report.Events}, of which {report.Logged} in the checkpoint, {report.BeyondCheckpoint} logged after it");
        ChainCommand.Print(report.Streams, output);
        foreach (var failure in report.Failures) output.WriteLine($"FAILED: {failure}");
        output.WriteLine(report.Ok
            ? $"ok: the signed checkpoint covers exactly the {report.Logged} logged event(s), and all {report.Streams.Count} stream chain(s) hold"
            : $"verification failed ({report.Failures.Count} problem(s))");
        return report.Ok ? 0 : 1;
    }
}
