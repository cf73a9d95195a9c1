namespace R2PTracker.Gateway.Staff;

/// <summary>
/// Which requests about public submissions need a staff member. The public ones: sending one
/// (POST /api/pledges/{id}/submissions), its private status link (/api/submissions/status/{token}) and its
/// e-mail confirmation link (/api/submissions/{id}/confirmation). Everything else under /api/submissions —
/// the moderation queue, reads included, and the verdicts — is for staff. Paths or path templates alike.
/// </summary>
public static class SubmissionRoutes
{
    public const string Prefix = "/api/submissions";

    public static bool IsPublic(string path) =>
        path.Trim('/').Split('/') switch
        {
            ["api", "pledges", _, "submissions"] => true,
            ["api", "submissions", "status", _] => true,
            ["api", "submissions", _, "confirmation"] => true,
            _ => false,
        };

    /// <summary>A request under /api/submissions that is not one of the public ones, whatever its method.</summary>
    public static bool IsStaffOnly(string path) =>
        (path.Equals(Prefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith(Prefix + "/", StringComparison.OrdinalIgnoreCase)) && !IsPublic(path);
}
