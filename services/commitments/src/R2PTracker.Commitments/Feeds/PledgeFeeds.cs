using System.ServiceModel.Syndication;
using System.Xml;
using JasperFx.Events;
using Marten;
using Npgsql;
using R2PTracker.Commitments.Export;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.ReadModel;

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
        TranslationAdded t => $"Translation added: {Pledges.GettingTimeline.TimelineText.Translated(t)}",
        _ => data.GetType().Name,
    };

    private static string? Reason(object data) => data switch
    {
        StatusAssessed s => s.Reason,
        ProgressAssessed p => p.Reason,
        MilestoneLogged m => m.Description,
        _ => null,
    };

    /// <summary>The namespace of the feed's log elements: the signed checkpoint the feed was written at.</summary>
    public const string LogNamespace = "urn:r2p-tracker:log";

    public static SyndicationFeed Build(string id, string title, Uri self, Uri site, IEnumerable<IEvent> events, IReadOnlyDictionary<string, string> titles,
        string? checkpoint = null)
    {
        var items = events.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Version).Take(MaxEntries).Select(e =>
        {
            var pledgeId = e.StreamKey!;
            var name = titles.GetValueOrDefault(pledgeId, pledgeId);
            var page = new Uri(site, $"pledges/{Uri.EscapeDataString(pledgeId)}");
            var item = new SyndicationItem
            {
                Id = $"urn:uuid:{e.Id:D}",
                Title = new TextSyndicationContent(XmlText($"{name} — {Describe(e.Data)}")),
                LastUpdatedTime = e.Timestamp,
                PublishDate = e.Timestamp,
                Summary = new TextSyndicationContent(XmlText(
                    $"{Describe(e.Data)}. Occurred on {Pledges.AsOf.PledgeAsOf.OccurredOn(e.Data) ?? "—"}; recorded by {Pledges.AsOf.PledgeAsOf.RecordedBy(e.Data)}; version {e.Version}."
                    + (Reason(e.Data) is { Length: > 0 } reason ? " " + reason : ""))),
            };
            item.Authors.Add(new SyndicationPerson { Name = XmlText(Pledges.AsOf.PledgeAsOf.RecordedBy(e.Data) ?? "unknown") });
            // The entry links to the pledge's page on the dashboard, and to its timeline as JSON.
            item.Links.Add(SyndicationLink.CreateAlternateLink(page, "text/html"));
            item.Links.Add(new SyndicationLink(new Uri(site, $"api/pledges/{Uri.EscapeDataString(pledgeId)}/timeline"), "related", null, "application/json", 0));
            return item;
        }).ToList();

        var feed = new SyndicationFeed(XmlText(title), "Public commitments and what became of them.", site, id,
            items.Count > 0 ? items[0].LastUpdatedTime : DateTimeOffset.UnixEpoch, items);
        feed.Authors.Add(new SyndicationPerson { Name = "R2P Tracker" });
        feed.Links.Add(SyndicationLink.CreateSelfLink(self, "application/atom+xml"));
        if (checkpoint is not null)
        {
            // A reader who keeps the feed keeps a signed tree head with it, to hold the tracker to later.
            feed.ElementExtensions.Add(new System.Xml.Linq.XElement(System.Xml.Linq.XName.Get("checkpoint", LogNamespace), checkpoint));
            feed.Links.Add(new SyndicationLink(new Uri(site, "api/log/checkpoint"), "related", "The log's latest signed checkpoint", "text/plain", 0));
        }
        return feed;
    }

    /// <summary>A feed is at most <see cref="MaxEntries"/> entries, so it is built whole, hashed, and sent (or only announced, for HEAD).</summary>
    private static async Task Write(HttpContext http, SyndicationFeed feed)
    {
        var buffer = new MemoryStream();
        await using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Async = true, Indent = false }))
        {
            new Atom10FeedFormatter(feed).WriteTo(writer);
        }
        var body = buffer.ToArray();
        if (ExportDigest.Of(body).Announce(http, "application/atom+xml; charset=utf-8") || HttpMethods.IsHead(http.Request.Method)) return;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    private const string TombstoneStream = "mt_tombstone";

    /// <summary>
    /// Text as XML 1.0 can hold it: a character it cannot (a control character, half a surrogate pair,
    /// U+FFFE/U+FFFF) becomes U+FFFD. New texts are refused such characters (see Validation); this keeps
    /// one stored before that, or a staff name, from breaking the feed for every reader.
    /// </summary>
    public static string XmlText(string text)
    {
        if (!text.Any(c => !XmlConvert.IsXmlChar(c))) return text;
        var clean = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i])) clean.Append(text, i++, 2);
            else clean.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
        }
        return clean.ToString();
    }

    /// <summary>Today's titles of the pledges some entries are about, from the read model.</summary>
    private static async Task<Dictionary<string, string>> TitlesAsync(NpgsqlDataSource db, IEnumerable<string> ids, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"select pledge_id, title from {ReadModelSchema.States} where axis = 'recorded' and valid_to is null and pledge_id = any($1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct().ToArray() });
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) titles[reader.GetString(0)] = reader.GetString(1);
        return titles;
    }

    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static void MapPledgeFeeds(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/feeds/pledges.atom", GetAndHead, async (HttpContext http, IQuerySession session, NpgsqlDataSource db, PublicLinks links, CancellationToken ct) =>
        {
            // Marten fills sequence gaps left by failed appends with tombstone events; they are not changes.
            var events = (await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Take(MaxEntries * 2).ToListAsync(ct))
                .Where(e => e.StreamKey != TombstoneStream).Take(MaxEntries).ToList();
            var titles = await TitlesAsync(db, events.Select(e => e.StreamKey!), ct);
            var site = links.Site(http);
            await Write(http, Build("urn:r2p-tracker:feeds:pledges", "R2P Tracker — all pledges", new Uri(site, "feeds/pledges.atom"), site, events, titles,
                await Log.LogStore.LatestNoteAsync(db, ct)));
        });

        app.MapMethods("/feeds/pledges/{id}.atom", GetAndHead, async (string id, HttpContext http, IQuerySession session, NpgsqlDataSource db, PublicLinks links, CancellationToken ct) =>
        {
            // The newest entries only: a long history is not read to show its last page.
            var events = await session.Events.QueryAllRawEvents().Where(e => e.StreamKey == id)
                .OrderByDescending(e => e.Version).Take(MaxEntries).ToListAsync(ct);
            if (events.Count == 0)
            {
                await Problems.NotFound(id).ExecuteAsync(http);
                return;
            }
            var titles = await TitlesAsync(db, [id], ct);
            var title = titles.GetValueOrDefault(id, id);
            var site = links.Site(http);
            await Write(http, Build($"urn:r2p-tracker:feeds:pledges:{id}", $"R2P Tracker — {title}",
                new Uri(site, $"feeds/pledges/{Uri.EscapeDataString(id)}.atom"), site, events, titles, await Log.LogStore.NoteCoveringAsync(db, id, ct)));
        });
    }
}
