using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AssessingProgress;
using R2PTracker.Commitments.Pledges.AssessingStatus;
using R2PTracker.Commitments.Pledges.AssessingVerifiability;
using R2PTracker.Commitments.Pledges.AttachingEvidence;
using R2PTracker.Commitments.Pledges.CorrectingMilestone;
using R2PTracker.Commitments.Pledges.LoggingMilestone;
using R2PTracker.Commitments.Pledges.Registering;
using R2PTracker.Commitments.Pledges.RetractingMilestone;
using R2PTracker.Commitments.Pledges.RevisingDetails;
using R2PTracker.Commitments.Pledges.SettingTargetDate;

namespace R2PTracker.Commitments.Pledges.Importing;

/// <summary>
/// One line of an import file: a pledge id, an event type, its date and who recorded it, plus the
/// fields of that event as the API's request for it takes them (see README, "Import"). Fields
/// that the line's type does not use are ignored.
/// </summary>
public sealed record ImportLine(
    string? PledgeId, string? Type, string? OccurredOn, string? RecordedBy,
    string? Title, string? Quote, string? Actor, string? Country, string? MadeOnNote, string? TargetDate,
    string? TargetDateNote, string? Theme, SourceRequest? Source,
    string? MilestoneId, string? Description, string? Status, string? Reason, int? Progress, string? Note,
    IReadOnlyList<EvidenceRequest?>? Evidence,
    string? Verifiability = null, string? VerifiabilityReason = null, string? ReasonCode = null);

/// <summary>
/// Turns a line into the same command the API would build (its slice's Validate) and, given the
/// pledge as the earlier lines left it, into the event its slice's Decide returns. No rule is
/// stated here that the API does not state, except those only a file can break: a pledge starts
/// with its registration, is registered once, and names each milestone once.
/// </summary>
public static class ImportDecisions
{
    /// <summary>The pledge so far (null before its registration) and its events so far → the line's event.</summary>
    public delegate object Decision(Pledge? pledge, IReadOnlyList<object> earlier);

    public static readonly string[] Types =
    [
        nameof(PledgeRegistered), nameof(MilestoneLogged), nameof(StatusAssessed), nameof(ProgressAssessed),
        nameof(EvidenceAttached), nameof(TargetDateSet), nameof(PledgeDetailsRevised), nameof(MilestoneCorrected),
        nameof(MilestoneRetracted), nameof(VerifiabilityAssessed),
    ];

    /// <summary>Checks the line's shape; null (and the errors in <paramref name="v"/>) when it is not valid.</summary>
    public static Decision? Prepare(ImportLine line, DateOnly today, Validation v)
    {
        var recordedBy = v.RequiredText("recordedBy", line.RecordedBy) ?? "";
        if (line.Type != nameof(PledgeRegistered)) v.Slug("pledgeId", line.PledgeId);
        var id = line.PledgeId ?? "";
        if (Types.Contains(line.Type) && line.Type is not (nameof(PledgeRegistered) or nameof(MilestoneCorrected) or nameof(MilestoneRetracted))
            && line.OccurredOn is null)
            v.Add("occurredOn", "'occurredOn' is required.");
        if (line.Type is nameof(MilestoneRetracted) && line.OccurredOn is not null)
            v.Add("occurredOn", "A retraction has no date of its own: leave out 'occurredOn'.");
        if (line.Type is nameof(MilestoneLogged) or nameof(MilestoneCorrected) or nameof(MilestoneRetracted))
            v.RequiredText("milestoneId", line.MilestoneId, 80);
        var milestoneId = line.MilestoneId ?? "";

        switch (line.Type)
        {
            case nameof(PledgeRegistered):
                {
                    var command = RegisterPledgeSlice.Validate(new RegisterPledgeRequest(line.PledgeId, line.Title, line.Quote, line.Actor,
                        line.Country, line.OccurredOn, line.MadeOnNote, line.TargetDate, line.TargetDateNote, line.Theme, line.Source,
                        line.Verifiability, line.VerifiabilityReason), recordedBy, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => pledge is null
                        ? RegisterPledgeSlice.Decide(command, today)
                        : throw new PledgeRuleViolation("type", $"Pledge '{id}' is already registered.");
                }
            case nameof(MilestoneLogged):
                {
                    var command = LogMilestoneSlice.Validate(id, milestoneId,
                        new LogMilestoneRequest(line.Title, line.Description, line.OccurredOn, line.Evidence), recordedBy, today, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) =>
                    {
                        var registered = Registered(pledge, id);
                        if (registered.Milestone(milestoneId) is not null)
                            throw new PledgeRuleViolation("milestoneId", $"Pledge '{id}' already has a milestone '{milestoneId}'.");
                        return LogMilestoneSlice.Decide(command, registered, today);
                    };
                }
            case nameof(StatusAssessed):
                {
                    var command = AssessStatusSlice.Validate(id, new AssessStatusRequest(line.Status, line.Reason, line.Evidence, line.OccurredOn, line.ReasonCode),
                        recordedBy, today, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => AssessStatusSlice.Decide(command, Registered(pledge, id), today);
                }
            case nameof(ProgressAssessed):
                {
                    var command = AssessProgressSlice.Validate(id, new AssessProgressRequest(line.Progress, line.Reason, line.Evidence, line.OccurredOn),
                        recordedBy, today, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => AssessProgressSlice.Decide(command, Registered(pledge, id), today);
                }
            case nameof(EvidenceAttached):
                {
                    var command = AttachEvidenceSlice.Validate(id, new AttachEvidenceRequest(line.MilestoneId, line.Evidence, line.OccurredOn),
                        recordedBy, today, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => AttachEvidenceSlice.Decide(command, Registered(pledge, id), today);
                }
            case nameof(TargetDateSet):
                {
                    var command = SetTargetDateSlice.Validate(id, new SetTargetDateRequest(line.TargetDate, line.Note, line.Reason, line.OccurredOn),
                        recordedBy, today, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => SetTargetDateSlice.Decide(command, Registered(pledge, id), today);
                }
            case nameof(PledgeDetailsRevised):
                {
                    var command = ReviseDetailsSlice.Validate(id,
                        new ReviseDetailsRequest(line.Title, line.Quote, line.Actor, line.Theme, line.Reason, line.OccurredOn), recordedBy, today, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => ReviseDetailsSlice.Decide(command, Registered(pledge, id), today);
                }
            case nameof(MilestoneCorrected):
                {
                    var command = CorrectMilestoneSlice.Validate(id, milestoneId,
                        new CorrectMilestoneRequest(line.Title, line.Description, line.OccurredOn, line.Evidence, line.Reason), recordedBy, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, earlier) => CorrectMilestoneSlice.Decide(command, Registered(pledge, id),
                        CorrectMilestoneSlice.CurrentEvidence(earlier, milestoneId), today);
                }
            case nameof(MilestoneRetracted):
                {
                    var command = RetractMilestoneSlice.Validate(id, milestoneId, new RetractMilestoneRequest(line.Reason), recordedBy, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => RetractMilestoneSlice.Decide(command, Registered(pledge, id));
                }
            case nameof(VerifiabilityAssessed):
                {
                    var command = AssessVerifiabilitySlice.Validate(id, new AssessVerifiabilityRequest(line.Verifiability, line.Reason, line.OccurredOn),
                        recordedBy, today, v);
                    if (command is null || !v.IsValid) return null;
                    return (pledge, _) => AssessVerifiabilitySlice.Decide(command, Registered(pledge, id), today);
                }
            default:
                v.Add("type", line.Type is null
                    ? "'type' is required."
                    : $"'type' must be one of: {string.Join(", ", Types)}.");
                return null;
        }
    }

    /// <summary>The error's field as the line names it: a registration's id and made-on date are the line's pledgeId and occurredOn.</summary>
    public static string LineField(string? type, string field) => (type, field) switch
    {
        (nameof(PledgeRegistered), "id") => "pledgeId",
        (nameof(PledgeRegistered), "madeOn") => "occurredOn",
        _ => field,
    };

    private static Pledge Registered(Pledge? pledge, string id) =>
        pledge ?? throw new PledgeRuleViolation("type", $"Pledge '{id}' must begin with its PledgeRegistered line.");
}
