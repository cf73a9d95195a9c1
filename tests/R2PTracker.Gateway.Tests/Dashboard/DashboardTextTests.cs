using System.Text.RegularExpressions;
using R2PTracker.Gateway.Dashboard;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>
/// Every interface string the dashboard uses is there in English and in Khmer: the two resource files
/// hold the same keys, each with a value (the Khmer one in Khmer script), the same placeholders, and
/// every key the components and code ask the localiser for.
/// </summary>
public partial class DashboardTextTests
{
    private static readonly string Gateway = Path.Combine(ResourceTexts.RepositoryRoot(), "services", "gateway", "src", "R2PTracker.Gateway");

    private static readonly ResourceTexts Texts = ResourceTexts.Dashboard();
    private static IReadOnlyDictionary<string, string> English => Texts.English;
    private static IReadOnlyDictionary<string, string> Khmer => Texts.Khmer;

    [Fact]
    public void The_English_and_Khmer_resources_hold_the_same_keys() => Texts.HoldTheSameKeys();

    /// <summary>Names, not words, are the same in both languages.</summary>
    [Fact]
    public void Every_value_is_written_and_the_Khmer_ones_are_in_Khmer() =>
        Texts.AreWrittenAndKhmerIsInKhmer("Site.Name", "Subscribe.Channel.Webhook", "Verify.Checkpoint.RootHash");

    [Fact]
    public void Both_languages_fill_in_the_same_placeholders() => Texts.FillTheSamePlaceholders();

    [Fact]
    public void Every_key_the_dashboard_asks_for_is_in_both_resources()
    {
        var used = UsedKeys().ToList();
        used.Count.ShouldBeGreaterThan(150, "the scan finds the dashboard's keys");
        used.Where(k => !English.ContainsKey(k)).ShouldBeEmpty("keys used but missing in DashboardText.resx");
        used.Where(k => !Khmer.ContainsKey(k)).ShouldBeEmpty("keys used but missing in DashboardText.km.resx");
    }

    [Fact]
    public void Every_status_has_a_name_in_both_languages()
    {
        foreach (var status in StatusText.All)
        {
            English.ContainsKey("Status." + status).ShouldBeTrue(status);
            Khmer.ContainsKey("Status." + status).ShouldBeTrue(status);
        }
    }

    /// <summary>The keys in the sources: string literals inside T[…] / t[…] and Markup("…") (Status.* are built from StatusText.All).</summary>
    private static IEnumerable<string> UsedKeys() =>
        Directory.EnumerateFiles(Path.Combine(Gateway, "Dashboard"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .SelectMany(f => LocaliserCall().Matches(File.ReadAllText(f)))
            .SelectMany(m => KeyLiteral().Matches(m.Value).Select(k => k.Groups[1].Value))
            .Distinct();

    [GeneratedRegex(@"\b[Tt]\[[^\]]*\]|Markup\(""[^""]+""\)")]
    private static partial Regex LocaliserCall();

    [GeneratedRegex(@"""([A-Z]\w*(?:\.\w+)+)""")]
    private static partial Regex KeyLiteral();
}
