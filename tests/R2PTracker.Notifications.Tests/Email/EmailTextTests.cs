using System.Text.RegularExpressions;
using R2PTracker.Notifications.Email;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests.Email;

/// <summary>
/// Every word of the mails is there in English and in Khmer: the two resource files hold the same keys,
/// each with a value (the Khmer one in Khmer script), the same placeholders, every key the sender asks
/// for, and the status names the dashboard uses, so a mail and the page it links to agree.
/// </summary>
public partial class EmailTextTests
{
    private static readonly string Notifications = Path.Combine(ResourceTexts.RepositoryRoot(), "services", "notifications", "src", "R2PTracker.Notifications");
    private static readonly ResourceTexts Texts = new(Path.Combine("services", "notifications", "src", "R2PTracker.Notifications", "Resources", "Email"), "EmailText");
    private static IReadOnlyDictionary<string, string> English => Texts.English;
    private static IReadOnlyDictionary<string, string> Khmer => Texts.Khmer;

    [Fact]
    public void The_English_and_Khmer_resources_hold_the_same_keys() => Texts.HoldTheSameKeys();

    [Fact]
    public void Every_value_is_written_and_the_Khmer_ones_are_in_Khmer() => Texts.AreWrittenAndKhmerIsInKhmer();

    [Fact]
    public void Both_languages_fill_in_the_same_placeholders() => Texts.FillTheSamePlaceholders();

    [Fact]
    public void Every_key_the_sender_asks_for_is_in_both_resources()
    {
        var used = UsedKeys().ToList();
        used.Count.ShouldBeGreaterThan(15, "the scan finds the sender's keys");
        used.Where(k => !English.ContainsKey(k)).ShouldBeEmpty("keys used but missing in EmailText.resx");
        used.Where(k => !Khmer.ContainsKey(k)).ShouldBeEmpty("keys used but missing in EmailText.km.resx");
    }

    [Fact]
    public void Every_status_is_named_as_the_dashboard_names_it_in_each_language() => Texts.NameStatusesAsTheDashboard(EmailText.Statuses);

    /// <summary>The string literals inside t[…] in the e-mail code (Status.* are built from EmailText.Statuses).</summary>
    private static IEnumerable<string> UsedKeys() =>
        Directory.EnumerateFiles(Path.Combine(Notifications, "Email"), "*.cs")
            .SelectMany(f => LocaliserCall().Matches(File.ReadAllText(f)))
            .SelectMany(m => KeyLiteral().Matches(m.Value).Select(k => k.Groups[1].Value))
            .Where(k => k != "Status.")
            .Distinct();

    [GeneratedRegex(@"\bt\[[^\]]*\]")]
    private static partial Regex LocaliserCall();

    [GeneratedRegex(@"""([A-Z]\w*(?:\.\w+)*)""")]
    private static partial Regex KeyLiteral();
}
