namespace R2PTracker.Commitments.Submissions;

/// <summary>Section "Submissions": the limits of a public submission, and how soon its messages leave.</summary>
public sealed class SubmissionOptions : IValidatedOptions
{
    public const string Section = "Submissions";

    /// <summary>At most this many characters of text.</summary>
    public int MaxTextLength { get; set; } = 5000;

    /// <summary>At most this many links (each http or https, at most 2000 characters).</summary>
    public int MaxLinks { get; set; } = 5;

    /// <summary>
    /// How often the submissions' daemon looks for new events (confirmation mails, staff alerts and verdict
    /// notices leave within about this): a person waits for these, so it polls less often than the pledges' daemon.
    /// </summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public IEnumerable<string> Problems()
    {
        if (MaxTextLength is < 1 or > 10_000) yield return "MaxTextLength must be from 1 to 10000.";
        if (MaxLinks is < 0 or > 50) yield return "MaxLinks must be from 0 to 50.";
        if (PollingInterval <= TimeSpan.Zero || PollingInterval > TimeSpan.FromMinutes(1))
            yield return "PollingInterval must be more than 00:00:00 and at most 00:01:00.";
    }
}
