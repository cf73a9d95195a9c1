using System.Text;
using System.Text.Json;

namespace R2PTracker.Commitments.Tests.Importing;

/// <summary>Lines of an import file, as the README documents them.</summary>
public static class ImportFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly object[] Evidence = [new { title = "CICP training report", url = "https://cicp.org.kh/spotlight-r2p" }];

    public static string Line(object line) => JsonSerializer.Serialize(line, Json);

    public static string Registration(string id, string madeOn = "2015-02") => Line(new
    {
        pledgeId = id,
        type = "PledgeRegistered",
        occurredOn = madeOn,
        recordedBy = "CICP archive",
        title = "Appoint a national focal point",
        quote = "The royal government of Cambodia could seriously consider taking steps within the next few months to appoint a national focal point",
        actor = "Prime Minister Hun Sen, Royal Government of Cambodia",
        country = "KH",
        targetDate = "2015-08-31",
        source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" },
    });

    public static string Milestone(string id, string milestoneId, string occurredOn, string title = "Outreach at Svay Rieng University") => Line(new
    {
        pledgeId = id,
        type = "MilestoneLogged",
        occurredOn,
        recordedBy = "CICP archive",
        milestoneId,
        title,
        description = "Training for students and officials",
        evidence = Evidence,
    });

    public static string Status(string id, string status, string occurredOn, string? reason = "Training under way") => Line(new
    {
        pledgeId = id,
        type = "StatusAssessed",
        occurredOn,
        recordedBy = "CICP archive",
        status,
        reason,
        evidence = Evidence,
    });

    public static string Attachment(string id, string? milestoneId, string occurredOn) => Line(new
    {
        pledgeId = id,
        type = "EvidenceAttached",
        occurredOn,
        recordedBy = "CICP archive",
        milestoneId,
        evidence = Evidence,
    });

    /// <summary>A registration and then <paramref name="events"/> - 1 more: milestones, evidence on them, status changes.</summary>
    public static IEnumerable<string> History(string id, int events)
    {
        yield return Registration(id);
        var day = new DateOnly(2015, 3, 1);
        var status = "InTheWorks";
        for (var i = 1; i < events; i++)
        {
            var on = day.AddDays(i).ToString("yyyy-MM-dd");
            switch (i % 3)
            {
                case 1: yield return Milestone(id, $"ms-{i}", on, $"Step {i}"); break;
                case 2: yield return Attachment(id, $"ms-{i - 1}", on); break;
                default:
                    yield return Status(id, status, on);
                    status = status == "InTheWorks" ? "Stalled" : "InTheWorks";
                    break;
            }
        }
    }

    public static string Of(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";

    public static async Task WriteAsync(string path, IEnumerable<string> lines)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        foreach (var line in lines) await writer.WriteLineAsync(line);
    }
}
