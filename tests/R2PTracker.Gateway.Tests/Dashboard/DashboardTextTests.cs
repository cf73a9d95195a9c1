using System.Text.RegularExpressions;
using System.Xml.Linq;
using R2PTracker.Gateway.Dashboard;
using Shouldly;

namespace R2PTracker.Gateway.Tests.Dashboard;

/// <summary>
/// Every interface string the dashboard uses is there in English and in Khmer: the two resource files
/// hold the same keys, each with a value (the Khmer one in Khmer script), the same placeholders, and
/// every key the components and code ask the localiser for.
/// </summary>
public partial class DashboardTextTests
{
    private static readonly string Gateway = Path.Combine(RepositoryRoot(), "services", "gateway", "src", "R2PTracker.Gateway");

    private static readonly string Resources = Path.Combine(Gateway, "Resources", "Dashboard", "Localisation");

    /// <summary>Names, not words: the same in both languages.</summary>
    private static readonly string[] SameInBothLanguages = ["Site.Name", "Subscribe.Channel.Webhook", "Verify.Checkpoint.RootHash"];

    private static Dictionary<string, string> Strings(string file) =>
        XDocument.Load(Path.Combine(Resources, file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    private static readonly Dictionary<string, string> English = Strings("DashboardText.resx");
    private static readonly Dictionary<string, string> Khmer = Strings("DashboardText.km.resx");

    [Fact]
    public void The_English_and_Khmer_resources_hold_the_same_keys()
    {
        English.Keys.Except(Khmer.Keys).ShouldBeEmpty("keys with no Khmer text");
        Khmer.Keys.Except(English.Keys).ShouldBeEmpty("keys with no English text");
    }

    [Fact]
    public void Every_value_is_written_and_the_Khmer_ones_are_in_Khmer()
    {
        English.Where(p => string.IsNullOrWhiteSpace(p.Value)).Select(p => p.Key).ShouldBeEmpty();
        Khmer.Where(p => !SameInBothLanguages.Contains(p.Key) && !KhmerScript().IsMatch(p.Value)).Select(p => p.Key)
            .ShouldBeEmpty("Khmer values that are not in Khmer script (left in English?)");
    }

    [Fact]
    public void Both_languages_fill_in_the_same_placeholders()
    {
        foreach (var (key, english) in English)
        {
            var khmer = Khmer.GetValueOrDefault(key, "");
            Placeholders(khmer).ShouldBe(Placeholders(english), $"{key}: '{english}' / '{khmer}'");
        }
    }

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
            English.ShouldContainKey("Status." + status);
            Khmer.ShouldContainKey("Status." + status);
        }
    }

    /// <summary>The keys in the sources: string literals inside T[…] / t[…] and Markup("…") (Status.* are built from StatusText.All).</summary>
    private static IEnumerable<string> UsedKeys() =>
        Directory.EnumerateFiles(Path.Combine(Gateway, "Dashboard"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .SelectMany(f => LocaliserCall().Matches(File.ReadAllText(f)))
            .SelectMany(m => KeyLiteral().Matches(m.Value).Select(k => k.Groups[1].Value))
            .Distinct();

    private static string[] Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToArray();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "R2PTracker.sln"))) return dir.FullName;
        throw new InvalidOperationException("R2PTracker.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\b[Tt]\[[^\]]*\]|Markup\(""[^""]+""\)")]
    private static partial Regex LocaliserCall();

    [GeneratedRegex(@"""([A-Z]\w*(?:\.\w+)+)""")]
    private static partial Regex KeyLiteral();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[\u1780-\u17FF]")]
    private static partial Regex KhmerScript();
}
