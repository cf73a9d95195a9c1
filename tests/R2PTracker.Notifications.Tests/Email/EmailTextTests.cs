using System.Text.RegularExpressions;
using System.Xml.Linq;
using R2PTracker.Notifications.Email;
using Shouldly;

namespace R2PTracker.Notifications.Tests.Email;

/// <summary>
/// Every word of the mails is there in English and in Khmer: the two resource files hold the same keys,
/// each with a value (the Khmer one in Khmer script), the same placeholders, every key the sender asks
/// for, and the status names the dashboard uses, so a mail and the page it links to agree.
/// </summary>
public partial class EmailTextTests
{
    private static readonly string Root = RepositoryRoot();
    private static readonly string Notifications = Path.Combine(Root, "services", "notifications", "src", "R2PTracker.Notifications");
    private static readonly string Resources = Path.Combine(Notifications, "Resources", "Email");
    private static readonly string Dashboard = Path.Combine(Root, "services", "gateway", "src", "R2PTracker.Gateway", "Resources", "Dashboard", "Localisation");

    private static Dictionary<string, string> Strings(string path) =>
        XDocument.Load(path).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    private static readonly Dictionary<string, string> English = Strings(Path.Combine(Resources, "EmailText.resx"));
    private static readonly Dictionary<string, string> Khmer = Strings(Path.Combine(Resources, "EmailText.km.resx"));

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
        Khmer.Where(p => !KhmerScript().IsMatch(p.Value)).Select(p => p.Key).ShouldBeEmpty("Khmer values that are not in Khmer script (left in English?)");
    }

    [Fact]
    public void Both_languages_fill_in_the_same_placeholders()
    {
        foreach (var (key, english) in English)
            Placeholders(Khmer.GetValueOrDefault(key, "")).ShouldBe(Placeholders(english), $"{key}: '{english}' / '{Khmer.GetValueOrDefault(key)}'");
    }

    [Fact]
    public void Every_key_the_sender_asks_for_is_in_both_resources()
    {
        var used = UsedKeys().ToList();
        used.Count.ShouldBeGreaterThan(15, "the scan finds the sender's keys");
        used.Where(k => !English.ContainsKey(k)).ShouldBeEmpty("keys used but missing in EmailText.resx");
        used.Where(k => !Khmer.ContainsKey(k)).ShouldBeEmpty("keys used but missing in EmailText.km.resx");
    }

    [Fact]
    public void Every_status_is_named_as_the_dashboard_names_it_in_each_language()
    {
        var dashboardEnglish = Strings(Path.Combine(Dashboard, "DashboardText.resx"));
        var dashboardKhmer = Strings(Path.Combine(Dashboard, "DashboardText.km.resx"));
        foreach (var status in EmailText.Statuses)
        {
            English.GetValueOrDefault("Status." + status).ShouldBe(dashboardEnglish["Status." + status], status);
            Khmer.GetValueOrDefault("Status." + status).ShouldBe(dashboardKhmer["Status." + status], status);
        }
    }

    /// <summary>The string literals inside t[…] in the e-mail code (Status.* are built from EmailText.Statuses).</summary>
    private static IEnumerable<string> UsedKeys() =>
        Directory.EnumerateFiles(Path.Combine(Notifications, "Email"), "*.cs")
            .SelectMany(f => LocaliserCall().Matches(File.ReadAllText(f)))
            .SelectMany(m => KeyLiteral().Matches(m.Value).Select(k => k.Groups[1].Value))
            .Where(k => k != "Status.")
            .Distinct();

    private static string[] Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToArray();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "R2PTracker.sln"))) return dir.FullName;
        throw new InvalidOperationException("R2PTracker.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bt\[[^\]]*\]")]
    private static partial Regex LocaliserCall();

    [GeneratedRegex(@"""([A-Z]\w*(?:\.\w+)*)""")]
    private static partial Regex KeyLiteral();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[\u1780-\u17FF]")]
    private static partial Regex KhmerScript();
}
