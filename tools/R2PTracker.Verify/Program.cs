using R2PTracker.Verify;

// r2p-verify events.ndjson   (or "-" / nothing for standard input)
// Exit code 0: every stream's chain holds; 1: at least one is broken; 2: bad usage or input.
if (args is ["-h" or "--help", ..])
{
    Console.WriteLine("usage: r2p-verify [events.ndjson | -]   (download it from /api/export/events.ndjson)");
    return 0;
}
try
{
    using TextReader input = args is [var path, ..] && path != "-" ? new StreamReader(path) : Console.In;
    var results = await ChainVerifier.VerifyAsync(input);
    Console.WriteLine($"{"stream",-32} {"events",6}  {"result",-22} head hash");
    foreach (var r in results)
    {
        var verdict = r.Valid ? "ok" : $"BROKEN at version {r.BrokenAtVersion}";
        Console.WriteLine($"{r.StreamId,-32} {r.Events,6}  {verdict,-22} {r.HeadHash}");
    }
    var broken = results.Count(r => !r.Valid);
    Console.WriteLine(broken == 0 ? $"all {results.Count} stream(s) verified" : $"{broken} of {results.Count} stream(s) broken");
    return broken == 0 ? 0 : 1;
}
catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
{
    Console.Error.WriteLine($"r2p-verify: {e.Message}");
    return 2;
}
