using System.Net;
using System.Text;
using System.Text.Json;
using System.Web;

namespace R2PTracker.TransparencyLog.Tests.Verify;

/// <summary>
/// The tracker's /api/log endpoints over an in-memory list of leaves, honest by default; each knob
/// makes it misbehave in one way a witness has to notice.
/// </summary>
internal sealed class FakeLog : HttpMessageHandler
{
    public const string BaseUrl = "https://tracker.example/";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public FakeLog(NoteSigner key, int leaves = 0)
    {
        Key = key;
        for (var i = 0; i < leaves; i++) Add($"{{\"event\":{i}}}");
    }

    public NoteSigner Key { get; set; }
    public List<byte[]> Leaves { get; } = [];
    public List<string> Submitted { get; } = [];

    /// <summary>When set, the checkpoint served (signed by <see cref="Key"/>) is of this tree instead.</summary>
    public List<byte[]>? PublishedTree { get; set; }
    /// <summary>Leaves served by /entries in place of the true ones (the tree itself left alone).</summary>
    public Dictionary<long, byte[]> ServedInstead { get; } = [];
    public HashSet<long> NotServed { get; } = [];
    public HttpStatusCode SubmissionStatus { get; set; } = HttpStatusCode.Accepted;
    public List<(long Start, long End)> EntryRequests { get; } = [];
    public string? OriginOverride { get; set; }

    public string Origin => OriginOverride ?? Key.Name;

    public void Add(string leaf) => Leaves.Add(Encoding.UTF8.GetBytes(leaf));

    private List<byte[]> Tree => PublishedTree ?? Leaves;

    public Checkpoint CurrentCheckpoint => new(Origin, Tree.Count, Root(Tree, 0, Tree.Count));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var query = HttpUtility.ParseQueryString(request.RequestUri.Query);
        long Q(string name) => long.Parse(query[name]!, System.Globalization.CultureInfo.InvariantCulture);
        return (request.Method.Method, path) switch
        {
            ("GET", "/api/log/checkpoint") => Text(Key.Sign(CurrentCheckpoint.Format())),
            ("GET", "/api/log/proof/inclusion") => Inclusion(Q("index"), Q("treeSize")),
            ("GET", "/api/log/proof/consistency") => Consistency(Q("from"), Q("to")),
            ("GET", "/api/log/entries") => Entries(Q("start"), Q("end")),
            ("POST", "/api/log/cosignatures") => await Submit(request, cancellationToken),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
    }

    private HttpResponseMessage Inclusion(long index, long size) => JsonAnswer(new
    {
        index,
        treeSize = size,
        leafHash = Convert.ToBase64String(Merkle.LeafHash(Tree[(int)index])),
        hashes = Merkle.InclusionProofRanges(index, size).Select(r => Convert.ToBase64String(Root(Tree, r.Start, r.End))),
    });

    private HttpResponseMessage Consistency(long from, long to) => JsonAnswer(new
    {
        from,
        to,
        hashes = Merkle.ConsistencyProofRanges(from, to).Select(r => Convert.ToBase64String(Root(Tree, r.Start, r.End))),
    });

    private HttpResponseMessage Entries(long start, long end)
    {
        EntryRequests.Add((start, end));
        var served = new List<object>();
        for (var i = start; i < Math.Min(end, Math.Min(start + 1000, Leaves.Count)); i++)
        {
            if (NotServed.Contains(i)) continue;
            var leaf = ServedInstead.GetValueOrDefault(i, Leaves[(int)i]);
            served.Add(new { index = i, eventId = Guid.Empty, pledgeId = "p-1", version = i + 1, leaf = Convert.ToBase64String(leaf) });
        }
        return JsonAnswer(served);
    }

    private async Task<HttpResponseMessage> Submit(HttpRequestMessage request, CancellationToken ct)
    {
        Submitted.Add(await request.Content!.ReadAsStringAsync(ct));
        return new HttpResponseMessage(SubmissionStatus)
        {
            Content = new StringContent("""{"title":"refused","detail":"not the latest checkpoint"}""", Encoding.UTF8, "application/problem+json"),
        };
    }

    private static byte[] Root(List<byte[]> leaves, long start, long end) =>
        Merkle.RootOf(leaves.Skip((int)start).Take((int)(end - start)).Select(l => Merkle.LeafHash(l)).ToList());

    private static HttpResponseMessage Text(string text) => new(HttpStatusCode.OK) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };

    private static HttpResponseMessage JsonAnswer(object value) =>
        new(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(value, Json), Encoding.UTF8, "application/json") };
}
