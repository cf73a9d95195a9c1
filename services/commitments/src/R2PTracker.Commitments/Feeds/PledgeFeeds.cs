using System.ServiceModel.Syndication;
using System.Xml;
using JasperFx.Events;
using Marten;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Feeds;

/// <summary>
/// Atom (RFC 4287) feeds: one entry per recorded change, newest first. An entry's id is
/// urn:uuid:{Marten event id}, so it never changes and readers de-duplicate by it.
/// </summary>
public static class PledgeFeeds
{
    public const int MaxEntries = 200;

    public static string Describe(object data) => data switch
    {
        PledgeRegistered r => $"Pledge registered: {r.Title}",
        MilestoneLogged m => $"Milestone logged: {m.Title}",
        MilestoneCorrected c => $"Milestone corrected: {c.Title} ({c.Reason})",
        MilestoneRetracted r => $"Milestone retracted: {r.MilestoneId} ({r.Reason})",
        StatusAssessed s => $"Status assessed: {s.From} → {s.To}",
        ProgressAssessed p => $"Progress assessed: {p.From}% → {p.To}%",
        EvidenceAttached a => $"Evidence attached: {string.Join("; ", a.Evidence.Select(e => e.Title))}",
        TargetDateSet t => $"Target date set: {t.TargetDate}",
        PledgeDetailsRevised d => $"Details revised ({d.Reason})",
        PledgeBecameOverdue o => $"Overdue: the target date {o.TargetDate} passed",
        _ => data.GetType().Name,
    };

    private static string? Reason(object data) => data switch
    {
        StatusAssessed s => s.Reason,
        ProgressAssessed p => p.Reason,
        MilestoneLogged m => m.Description,
        _ => null,
    };

    public static SyndicationFeed Build(string id, string title, Uri self, Uri site, IEnumerable<IEvent> events, IReadOnlyDictionary<string, string> titles)
    {
        var items = events.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Version).Take(MaxEntries).Select(e =>
        {
            var pledgeId = e.StreamKey!;
            var name = titles.GetValueOrDefault(pledgeId, pledgeId);
            var item = new SyndicationItem
            {
                Id = $"urn:uuid:{e.Id:D}",
                Title = new TextSyndicationContent($"{name} — {Describe(e.Data)}"),
                LastUpdatedTime = e.Timestamp,
                PublishDate = e.Timestamp,
                Summary = new TextSyndicationContent(
                    $"{Describe(e.Data)}. Occurred on {Pledges.AsOf.PledgeAsOf.OccurredOn(e.Data) ?? "—"}; recorded by {Pledges.AsOf.PledgeAsOf.RecordedBy(e.Data)}; version {e.Version}."
                    + (Reason(e.Data) is { Length: > 0 } reason ? " " + reason : "")),
            };
            item.Authors.Add(new SyndicationPerson { Name = Pledges.AsOf.PledgeAsOf.RecordedBy(e.Data) ?? "unknown" });
            item.Links.Add(SyndicationLink.CreateAlternateLink(new Uri(site, $"/api/pledges/{Uri.EscapeDataString(pledgeId)}/timeline")));
            return item;
        }).ToList();

        var feed = new SyndicationFeed(title, "Public commitments and what became of them.", site, id,
            items.Count > 0 ? items[0].LastUpdatedTime : DateTimeOffset.UnixEpoch, items);
        feed.Authors.Add(new SyndicationPerson { Name = "R2P Tracker" });
        feed.Links.Add(SyndicationLink.CreateSelfLink(self, "application/atom+xml"));
        return feed;
    }

    private static async Task<IResult> Write(HttpContext http, SyndicationFeed feed)
    {
        var buffer = new MemoryStream();
        await using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Async = true, Indent = false }))
        {
            new Atom10FeedFormatter(feed).WriteTo(writer);
        }
        return Results.Bytes(buffer.ToArray(), "application/atom+xml; charset=utf-8");
    }

    private const string TombstoneStream = "mt_tombstone";

    private static Uri Site(HttpContext http) => new($"{http.Request.Scheme}://{http.Request.Host}");

    public static void MapPledgeFeeds(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feeds/pledges.atom", async (HttpContext http, IQuerySession session, CancellationToken ct) =>
        {
            // Marten fills sequence gaps left by failed appends with tombstone events; they are not changes.
            var events = (await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Take(MaxEntries * 2).ToListAsync(ct))
                .Where(e => e.StreamKey != TombstoneStream).Take(MaxEntries).ToList();
            var titles = (await session.Query<Pledge>().Select(p => new { p.Id, p.Title }).ToListAsync(ct)).ToDictionary(p => p.Id, p => p.Title);
            var site = Site(http);
            return await Write(http, Build("urn:r2p-tracker:feeds:pledges", "R2P Tracker — all pledges", new Uri(site, "/feeds/pledges.atom"), site, events, titles));
        });

        app.MapGet("/feeds/pledges/{id}.atom", async (string id, HttpContext http, IQuerySession session, CancellationToken ct) =>
        {
            var events = await session.Events.FetchStreamAsync(id, token: ct);
            if (events.Count == 0) return Problems.NotFound(id);
            var title = (events[0].Data as PledgeRegistered)?.Title ?? id;
            var current = await session.LoadAsync<Pledge>(id, ct);
            var titles = new Dictionary<string, string> { [id] = current?.Title ?? title };
            var site = Site(http);
            return await Write(http, Build($"urn:r2p-tracker:feeds:pledges:{id}", $"R2P Tracker — {current?.Title ?? title}",
                new Uri(site, $"/feeds/pledges/{Uri.EscapeDataString(id)}.atom"), site, events, titles));
        });
    }
}
