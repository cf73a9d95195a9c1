namespace R2PTracker.Commitments.Pledges;

/// <summary>A command breaks a domain rule; reported as a 400 naming the field.</summary>
public sealed class PledgeRuleViolation(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>A command names a milestone the pledge does not have; reported as 404.</summary>
public sealed class MilestoneNotFound(string pledgeId, string milestoneId)
    : Exception($"Pledge '{pledgeId}' has no milestone '{milestoneId}'.");
