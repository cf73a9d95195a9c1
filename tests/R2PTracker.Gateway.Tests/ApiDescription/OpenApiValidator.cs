using System.Diagnostics;

namespace R2PTracker.Gateway.Tests.ApiDescription;

/// <summary>
/// An OpenAPI validator that shares nothing with .NET's: @apidevtools/swagger-parser (npm, on Node),
/// installed by tests/run.sh (deploy/local/lib.sh ensure_swagger_parser_installed) into
/// R2P_TEST_SWAGGER_PARSER, by default ~/.cache/r2p-tracker/swagger-parser. It checks the document
/// against the OpenAPI 3.x schema and resolves every $ref.
/// </summary>
public static class OpenApiValidator
{
    private const string Script =
        "require('@apidevtools/swagger-parser').validate(process.argv[1])"
        + ".then(api => console.log('valid: ' + api.info.title), e => { console.error(e.message); process.exit(1); })";

    public static string Directory =>
        Environment.GetEnvironmentVariable("R2P_TEST_SWAGGER_PARSER") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "r2p-tracker", "swagger-parser");

    /// <summary>Validates the document; returns the validator's exit code and what it said.</summary>
    public static async Task<(int ExitCode, string Output)> ValidateAsync(string json)
    {
        var modules = Path.Combine(Directory, "node_modules");
        if (!System.IO.Directory.Exists(Path.Combine(modules, "@apidevtools", "swagger-parser")))
            throw new InvalidOperationException($"swagger-parser is not installed in {Directory} (tests/run.sh installs it).");
        var file = Path.Combine(Path.GetTempPath(), $"r2p-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json);
        try
        {
            var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-e");
            info.ArgumentList.Add(Script);
            info.ArgumentList.Add(file);
            info.Environment["NODE_PATH"] = modules;
            using var node = Process.Start(info)!;
            var output = node.StandardOutput.ReadToEndAsync();
            var error = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();
            return (node.ExitCode, (await output) + (await error));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
