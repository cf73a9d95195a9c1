using R2PTracker.TransparencyLog;

namespace R2PTracker.Verify.Commands;

internal static class Keys
{
    /// <summary>A verifier key given inline or as @file.</summary>
    public static NoteVerifier LogKey(string argument)
    {
        var text = argument.StartsWith('@') ? ReadFile(argument[1..]) : argument;
        try
        {
            var key = NoteVerifier.Parse(text.Trim());
            if (key.Type != 0x01) throw new UsageException("--key must be the log's Ed25519 note key (type 0x01), not a cosignature key");
            return key;
        }
        catch (FormatException e)
        {
            throw new UsageException($"--key: {e.Message}");
        }
    }

    public static NoteSigner SignerFromFile(string path)
    {
        try
        {
            return NoteSigner.Parse(ReadFile(path).Trim());
        }
        catch (FormatException e)
        {
            throw new UsageException($"{path}: {e.Message}");
        }
    }

    public static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }
}
