using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>Two-person review of verdicts is on wherever the tracker is deployed, as commitments ships it (Review:VerdictApprovals 1).</summary>
public class ReviewSettingTests
{
    [Fact]
    public void No_deployment_turns_off_or_changes_the_review_of_verdicts()
    {
        var deploy = Path.Combine(DeployFiles.Root, "deploy");
        var files = Directory.EnumerateFiles(deploy, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.local/")).ToList();
        files.Count.ShouldBeGreaterThan(10, "the scan reads the deploy folder");
        files.Where(f => File.ReadAllText(f).Contains("VerdictApprovals", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(DeployFiles.Root, f)).ShouldBeEmpty(
                "a deployment that sets Review:VerdictApprovals changes who may publish a verdict; the default (1) is commitments' appsettings.json");
    }
}
