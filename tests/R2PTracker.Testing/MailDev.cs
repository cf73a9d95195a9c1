using System.Net.Http.Json;
using System.Text.Json;

namespace R2PTracker.Testing;

/// <summary>
/// The maildev that tests/run.sh starts (R2P_TEST_SMTP_PORT, R2P_TEST_MAILDEV_URL); mail is read
/// through its REST API, as a person would read their inbox.
/// </summary>
public static class MailDev
{
    public static int SmtpPort => int.Parse(Required("R2P_TEST_SMTP_PORT"));

    public static string ApiUrl => Required("R2P_TEST_MAILDEV_URL").TrimEnd('/');

    private static readonly HttpClient Http = new();

    public static async Task<IReadOnlyList<JsonElement>> MailsToAsync(string address, CancellationToken ct)
    {
        var all = await Http.GetFromJsonAsync<JsonElement>(ApiUrl + "/api/email", ct);
        return all.EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), address, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    public static Task<IReadOnlyList<JsonElement>> WaitForMailsAsync(string address, int count, CancellationToken ct) =>
        TestEnvironment.Eventually(async () =>
        {
            var mails = await MailsToAsync(address, ct);
            return mails.Count >= count ? mails : null;
        }, TimeSpan.FromSeconds(30), $"{count} mail(s) to {address}");

    /// <summary>The raw message as received over SMTP (maildev's JSON lists only a few headers).</summary>
    public static Task<string> SourceAsync(JsonElement mail, CancellationToken ct) =>
        Http.GetStringAsync($"{ApiUrl}/api/email/{mail.GetProperty("id").GetString()}/source", ct);

    /// <summary>The top-level headers of a raw message, folded lines joined (RFC 5322 2.2.3).</summary>
    public static Dictionary<string, string> Headers(string source)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in source.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length == 0) break;
            if (char.IsWhiteSpace(line[0]) && last is not null) headers[last] = (headers[last] + " " + line.Trim()).Trim();
            else if (line.IndexOf(':') is var colon and > 0)
            {
                last = line[..colon];
                headers[last] = line[(colon + 1)..].Trim();
            }
        }
        return headers;
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: the e-mail tests need the maildev that tests/run.sh starts.");
}
