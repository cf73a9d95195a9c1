namespace R2PTracker.AppHost;

/// <summary>
/// Reads the <c>NAME=value</c> files deploy/local/up.sh writes (and sources with <c>set -a</c>): one setting a
/// line, <c>#</c> comments and blank lines skipped, a value in single quotes taken as it is, as bash does.
/// </summary>
public static class EnvFile
{
    public static Dictionary<string, string> Read(string path)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var equals = line.IndexOf('=');
            if (equals <= 0) throw new FormatException($"{path}:{number}: expected NAME=value.");
            var value = line[(equals + 1)..];
            if (value.Length >= 2 && ((value[0] == '\'' && value[^1] == '\'') || (value[0] == '"' && value[^1] == '"'))) value = value[1..^1];
            settings[line[..equals]] = value;
        }
        return settings;
    }
}
