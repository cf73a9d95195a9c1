namespace R2PTracker.Verify.Commands;

/// <summary>Bad usage: the message is shown with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Positional arguments and "--name value" / "--flag" options, refusing anything unknown.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private Arguments(List<string> positional) => Positional = positional;

    public IReadOnlyList<string> Positional { get; }

    public static Arguments Parse(IEnumerable<string> args, IReadOnlySet<string> valued, IReadOnlySet<string> flags)
    {
        var positional = new List<string>();
        var parsed = new Arguments(positional);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (flags.Contains(arg)) parsed._options[arg] = null;
                else if (valued.Contains(arg)) parsed._options[arg] = e.MoveNext() ? e.Current : throw new UsageException($"{arg} needs a value");
                else throw new UsageException($"unknown option {arg}");
            }
            else
            {
                positional.Add(arg);
            }
        }
        return parsed;
    }

    public bool Has(string option) => _options.ContainsKey(option);

    public string? Optional(string option) => _options.GetValueOrDefault(option);

    public string Required(string option) => Optional(option) ?? throw new UsageException($"{option} is required");

    public string Single(string what) => Positional is [var only] ? only : throw new UsageException($"expected one {what}");
}
