namespace R2PTracker.Commitments.Pledges;

/// <summary>A command breaks a domain rule; reported as a 400 naming the field.</summary>
public sealed class PledgeRuleViolation(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
