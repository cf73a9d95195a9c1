using System.Text.Json;
using R2PTracker.Verify.Export;
using R2PTracker.Verify.Live;

namespace R2PTracker.Verify.Commands;

/// <summary>Dispatches the subcommands; exit codes 0 ok, 1 verification failed, 2 bad usage, input or network.</summary>
public static class Cli
{
    public const string Usage = """
        usage:
          r2p-verify [events.ndjson | -]                      check every stream's hash chain
          r2p-verify keygen NAME --out FILE [--witness]        new signer key in FILE; prints the verifier key
          r2p-verify verify-export FILE --key KEY [--checkpoint FILE]
          r2p-verify verify-inclusion URL --key KEY --index N
          r2p-verify verify-consistency URL --key KEY --checkpoint FILE
          r2p-verify witness URL --state DIR --key KEY --witness-key FILE [--audit all|new] [--no-submit]
        KEY is the log's verifier key, or @FILE holding it. Download exports from /api/export/events.ndjson.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            return args switch
            {
                ["-h" or "--help", ..] => Help(output),
                ["keygen", .. var rest] => KeygenCommand.Run(rest, output),
                ["verify-export", .. var rest] => await VerifyExportCommand.RunAsync(rest, output),
                ["verify-inclusion", .. var rest] => await LiveCommands.InclusionAsync(rest, http, output),
                ["verify-consistency", .. var rest] => await LiveCommands.ConsistencyAsync(rest, http, output),
                ["witness", .. var rest] => await LiveCommands.WitnessAsync(rest, http, output, TimeProvider.System),
                _ => await ChainCommand.RunAsync(args, output),
            };
        }
        catch (UsageException e)
        {
            error.WriteLine($"r2p-verify: {e.Message}");
            error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is ExportFormatException or LogUnavailableException or IOException or JsonException
                                      or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            error.WriteLine($"r2p-verify: {e.Message}");
            return 2;
        }
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine(Usage);
        return 0;
    }
}
