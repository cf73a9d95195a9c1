using System.Text.RegularExpressions;
using System.Xml.Linq;
using Shouldly;

namespace R2PTracker.Testing;

/// <summary>
/// A service's interface texts in English (<c>Name.resx</c>) and Khmer (<c>Name.km.resx</c>), read from the
/// repository, and the checks every pair must pass: the same keys, every value written (the Khmer ones in
/// Khmer script), the same placeholders. The dashboard's, the e-mails' and the feeds' tests use it.
/// </summary>
public sealed partial class ResourceTexts
{
    public IReadOnlyDictionary<string, string> English { get; }
    public IReadOnlyDictionary<string, string> Khmer { get; }
    private readonly string _name;

    /// <param name="directory">The folder of the .resx files, relative to the repository root.</param>
    public ResourceTexts(string directory, string name)
    {
        _name = name;
        var folder = Path.Combine(RepositoryRoot(), directory);
        English = Strings(Path.Combine(folder, name + ".resx"));
        Khmer = Strings(Path.Combine(folder, name + ".km.resx"));
    }

    /// <summary>The dashboard's texts, which the e-mails and feeds name statuses as.</summary>
    public static ResourceTexts Dashboard() => new(Path.Combine("services", "gateway", "src", "R2PTracker.Gateway", "Resources", "Dashboard", "Localisation"), "DashboardText");

    public void HoldTheSameKeys()
    {
        English.Keys.Except(Khmer.Keys).ShouldBeEmpty($"{_name}: keys with no Khmer text");
        Khmer.Keys.Except(English.Keys).ShouldBeEmpty($"{_name}: keys with no English text");
    }

    /// <param name="sameInBothLanguages">Keys whose value is a name, not words: the same in both languages.</param>
    public void AreWrittenAndKhmerIsInKhmer(params string[] sameInBothLanguages)
    {
        English.Where(p => string.IsNullOrWhiteSpace(p.Value)).Select(p => p.Key).ShouldBeEmpty($"{_name}: empty English values");
        Khmer.Where(p => !sameInBothLanguages.Contains(p.Key) && !KhmerScript().IsMatch(p.Value)).Select(p => p.Key)
            .ShouldBeEmpty($"{_name}: Khmer values that are not in Khmer script (left in English?)");
    }

    public void FillTheSamePlaceholders()
    {
        foreach (var (key, english) in English)
        {
            var khmer = Khmer.GetValueOrDefault(key, "");
            Placeholders(khmer).ShouldBe(Placeholders(english), $"{_name} {key}: '{english}' / '{khmer}'");
        }
    }

    /// <summary>Each <c>Status.*</c> value here is the dashboard's, in each language.</summary>
    public void NameStatusesAsTheDashboard(IEnumerable<string> statuses)
    {
        var dashboard = Dashboard();
        foreach (var status in statuses)
        {
            English.GetValueOrDefault("Status." + status).ShouldBe(dashboard.English["Status." + status], $"{_name}: {status}");
            Khmer.GetValueOrDefault("Status." + status).ShouldBe(dashboard.Khmer["Status." + status], $"{_name}: {status}");
        }
    }

    private static Dictionary<string, string> Strings(string path) =>
        XDocument.Load(path).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    private static string[] Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToArray();

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "R2PTracker.sln"))) return dir.FullName;
        throw new InvalidOperationException("R2PTracker.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[\u1780-\u17FF]")]
    private static partial Regex KhmerScript();
}
