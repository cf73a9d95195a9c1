using Microsoft.Extensions.Localization;

namespace R2PTracker.Gateway.Dashboard;

/// <summary>The verifiability ratings and the coded reasons of a Stalled or Broken verdict, as commitments names them, and their labels.</summary>
public static class VerifiabilityText
{
    /// <summary>The ratings, and NotScreened (what the filter calls a pledge without one).</summary>
    public static readonly IReadOnlyList<string> All = ["Verifiable", "Partly", "NotVerifiable", "NotScreened"];

    public static readonly IReadOnlyList<string> Ratings = ["Verifiable", "Partly", "NotVerifiable"];

    public static readonly IReadOnlyList<string> ReasonCodes = ["NoFunding", "NoMajority", "ChangedPosition", "Superseded", "ExternalEvents", "Other"];

    /// <summary>The statuses whose verdict takes a coded reason.</summary>
    public static bool TakesReasonCode(string status) => status is "Stalled" or "Broken";

    /// <summary>A rating in the reader's language; null (not screened) and unknown values have labels of their own.</summary>
    public static string Label(IStringLocalizer t, string? verifiability) =>
        All.Contains(verifiability ?? "NotScreened") ? t["Verifiability." + (verifiability ?? "NotScreened")] : verifiability!;

    public static string ReasonLabel(IStringLocalizer t, string code) => ReasonCodes.Contains(code) ? t["ReasonCode." + code] : code;
}
