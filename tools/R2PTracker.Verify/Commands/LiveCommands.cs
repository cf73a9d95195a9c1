using System.Globalization;
using R2PTracker.Verify.Live;
using R2PTracker.Verify.Witnessing;

namespace R2PTracker.Verify.Commands;

/// <summary>The commands that talk to a running tracker.</summary>
public static class LiveCommands
{
    private static readonly HashSet<string> None = [];

    /// <summary>verify-inclusion URL --key KEY --index N</summary>
    public static async Task<int> InclusionAsync(string[] args, HttpClient http, TextWriter output)
    {
        var a = Arguments.Parse(args, new HashSet<string> { "--key", "--index" }, None);
        var log = new LogClient(http, Url(a));
        var key = Keys.LogKey(a.Required("--key"));
        if (!long.TryParse(a.Required("--index"), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new UsageException("--index must be a non-negative integer");
        return Report(await LiveChecks.InclusionAsync(log, key, index, output), output);
    }

    /// <summary>verify-consistency URL --key KEY --checkpoint FILE</summary>
    public static async Task<int> ConsistencyAsync(string[] args, HttpClient http, TextWriter output)
    {
        var a = Arguments.Parse(args, new HashSet<string> { "--key", "--checkpoint" }, None);
        var log = new LogClient(http, Url(a));
        var key = Keys.LogKey(a.Required("--key"));
        var earlier = Keys.ReadFile(a.Required("--checkpoint"));
        try
        {
            return Report(await LiveChecks.ConsistencyAsync(log, key, earlier, output), output);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>witness URL --state DIR --key KEY --witness-key FILE [--audit all|new] [--no-submit]</summary>
    public static async Task<int> WitnessAsync(string[] args, HttpClient http, TextWriter output, TimeProvider time)
    {
        var a = Arguments.Parse(args, new HashSet<string> { "--state", "--key", "--witness-key", "--audit" }, new HashSet<string> { "--no-submit" });
        var log = new LogClient(http, Url(a));
        var audit = a.Optional("--audit") switch
        {
            null or "all" => AuditMode.All,
            "new" => AuditMode.New,
            var other => throw new UsageException($"--audit is all or new, not {other}"),
        };
        var witness = new Witness(log, Keys.LogKey(a.Required("--key")), Keys.SignerFromFile(a.Required("--witness-key")),
            new WitnessState(a.Required("--state")), time, output);
        WitnessResult result;
        try
        {
            result = await witness.RunAsync(audit, submit: !a.Has("--no-submit"));
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
        output.WriteLine(result.Ok ? result.Message : $"FAILED: {result.Message}");
        if (!result.Ok) return 1;
        // Witnessed and remembered, but the log did not take the cosignature: not the log's misbehaviour.
        return result.Submission is { Accepted: false } ? 2 : 0;
    }

    private static string Url(Arguments a)
    {
        var url = a.Positional is [var only, ..] && a.Positional.Count == 1 ? only : throw new UsageException("expected the tracker's base URL");
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new UsageException($"not an http(s) URL: {url}");
    }

    private static int Report(CheckResult result, TextWriter output)
    {
        output.WriteLine(result.Ok ? $"ok: {result.Message}" : $"FAILED: {result.Message}");
        return result.Ok ? 0 : 1;
    }
}
