using R2PTracker.TransparencyLog;

namespace R2PTracker.Verify.Commands;

/// <summary>keygen NAME --out FILE [--witness]: a new signer key, readable by its owner only.</summary>
public static class KeygenCommand
{
    public static int Run(string[] args, TextWriter output)
    {
        var a = Arguments.Parse(args, new HashSet<string> { "--out" }, new HashSet<string> { "--witness" });
        var name = a.Single("key name");
        var path = a.Required("--out");
        NoteSigner signer;
        try
        {
            signer = NoteSigner.Generate(name);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        // Created with the final mode rather than chmod'ed afterwards, so the key is never readable by others.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(new FileStream(path, options));
            writer.WriteLine(signer.SignerKey);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new UsageException($"{path} exists; refusing to overwrite a key");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write {path}: {e.Message}");
        }
        output.WriteLine(a.Has("--witness") ? signer.CosignatureVerifierKey : signer.VerifierKey);
        return 0;
    }
}
