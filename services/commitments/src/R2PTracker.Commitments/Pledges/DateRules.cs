namespace R2PTracker.Commitments.Pledges;

public static class DateRules
{
    /// <summary>
    /// An event's occurred-on date may not lie wholly in the future, nor wholly before the
    /// pledge was made. Partial dates are compared by the span they cover, so "2015" is
    /// accepted for a pledge made in "2015-02".
    /// </summary>
    public static void EnsurePlausible(string field, PartialDate occurredOn, Pledge pledge, DateOnly today)
    {
        if (occurredOn.Earliest > today)
            throw new PledgeRuleViolation(field, $"'{field}' ({occurredOn}) is in the future.");
        if (occurredOn.Latest < PartialDate.Parse(pledge.MadeOn).Earliest)
            throw new PledgeRuleViolation(field, $"'{field}' ({occurredOn}) is before the pledge was made ({pledge.MadeOn}).");
    }
}
