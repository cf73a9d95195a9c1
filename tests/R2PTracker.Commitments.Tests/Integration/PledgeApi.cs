using System.Net.Http.Json;

namespace R2PTracker.Commitments.Tests.Integration;

public static class PledgeApi
{
    public static object NewPledge(string id) => new
    {
        id,
        title = "Appoint a national focal point",
        quote = "The royal government of Cambodia could seriously consider taking steps within the next few months to appoint a national focal point",
        actor = "Prime Minister Hun Sen, Royal Government of Cambodia",
        country = "KH",
        madeOn = "2015-02",
        targetDate = "2015-08-31",
        source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" },
    };

    public static object StatusChange(string status = "InTheWorks", string? reason = "Training under way", string occurredOn = "2023-09-16") => new
    {
        status,
        reason,
        occurredOn,
        evidence = new[] { new { title = "CICP report", url = "https://cicp.org.kh/spotlight-r2p" } },
    };

    public static string NewId() => "test-" + Guid.NewGuid().ToString("N")[..10];

    public static async Task<string> RegisterAsync(HttpClient staff, string? id = null)
    {
        id ??= NewId();
        var response = await staff.PostAsJsonAsync("/api/pledges", NewPledge(id));
        response.EnsureSuccessStatusCode();
        return id;
    }

    public static HttpRequestMessage Post(string url, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }
}
