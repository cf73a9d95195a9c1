using R2PTracker.TransparencyLog;

namespace R2PTracker.Commitments.Log;

/// <summary>The transparency log's settings (section "Log"; see README, "The transparency log").</summary>
public sealed class LogOptions
{
    public const string Section = "Log";

    /// <summary>Off only to measure what the log costs (bench/run.sh); the service then neither logs nor signs.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the log takes the events appended since its last batch and signs a checkpoint of
    /// them: the bound on how far the log trails an append, and what keeps a busy store to a few log
    /// transactions a second.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The checkpoint's origin line, which names the log; by convention also its key's name.</summary>
    public string Origin { get; set; } = "r2p-tracker.example/log";

    /// <summary>The log's signer key in the signed-note form PRIVATE+KEY+name+hash+key: from a file (up.sh's
    /// .local/log-signing-key, a mounted secret) or given as it is (an environment variable from a secret store).</summary>
    public string? SigningKeyFile { get; set; }

    public string? SigningKey { get; set; }

    /// <summary>Verifier keys (name+hash+key, the 0x04 cosignature form) of the witnesses whose cosignatures are accepted.</summary>
    public string[] WitnessKeys { get; set; } = [];

    /// <summary>The signer, or why there is none.</summary>
    public (NoteSigner? Signer, string? Error) LoadSigner()
    {
        string text;
        if (!string.IsNullOrWhiteSpace(SigningKey)) text = SigningKey;
        else if (!string.IsNullOrWhiteSpace(SigningKeyFile))
        {
            if (!File.Exists(SigningKeyFile)) return (null, $"Log:SigningKeyFile names a file that does not exist ({SigningKeyFile}).");
            text = File.ReadAllText(SigningKeyFile);
        }
        else return (null, "The transparency log needs its signing key: set Log:SigningKeyFile (or Log:SigningKey), or Log:Enabled=false.");
        try
        {
            return (NoteSigner.Parse(text.Trim()), null);
        }
        catch (FormatException)
        {
            // The key itself is never echoed.
            return (null, "The log's signing key is not a signed-note signer key (PRIVATE+KEY+name+hash+key).");
        }
    }

    public IReadOnlyList<NoteVerifier> Witnesses() => WitnessKeys
        .SelectMany(k => k.Split([' ', '\n', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .Select(NoteVerifier.Parse).ToList();

    public string? Validate()
    {
        if (!Enabled) return null;
        if (string.IsNullOrWhiteSpace(Origin) || Origin.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) && c != ' ') || Origin.Trim() != Origin)
            return "Log:Origin must be one line of text without leading or trailing space, e.g. r2p-tracker.example/log.";
        if (CheckpointInterval <= TimeSpan.Zero || CheckpointInterval > TimeSpan.FromMinutes(1))
            return "Log:CheckpointInterval must be more than 0 and at most 00:01:00.";
        if (LoadSigner().Error is { } error) return error;
        try
        {
            if (Witnesses().Any(w => w.Type != 0x04)) return "Log:WitnessKeys must be cosignature verifier keys (the 0x04 form r2p-verify keygen --witness prints).";
        }
        catch (FormatException)
        {
            return "Log:WitnessKeys holds a key that is not a signed-note verifier key (name+hash+key).";
        }
        return null;
    }
}

/// <summary>The log's key and witnesses, read once.</summary>
public sealed class LogKeys
{
    public LogKeys(Microsoft.Extensions.Options.IOptions<LogOptions> options)
    {
        Options = options.Value;
        var (signer, error) = Options.LoadSigner();
        Signer = signer ?? throw new InvalidOperationException(error);
        Witnesses = Options.Witnesses();
    }

    public LogOptions Options { get; }
    public NoteSigner Signer { get; }
    public IReadOnlyList<NoteVerifier> Witnesses { get; }
}

/// <summary>Refuses to start without a usable key (the seed and import commands, which start no daemon, never ask).</summary>
public sealed class LogOptionsValidation : Microsoft.Extensions.Options.IValidateOptions<LogOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, LogOptions options) =>
        options.Validate() is { } error
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(error)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
