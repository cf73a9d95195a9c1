using System.ServiceModel.Syndication;
using System.Xml;
using JasperFx.Events;
using Marten;
using Npgsql;
using R2PTracker.Commitments.Export;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.ReadModel;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Feeds;

/// <summary>
/// Atom (RFC 4287) feeds: one entry per recorded change, newest first. An entry's id is
/// urn:uuid:{Marten event id}, so it never changes and readers de-duplicate by it.
/// </summary>
public static class PledgeFeeds
{
    public const int MaxEntries = 200;

    public static string Describe(object data, FeedText text) => data switch
    {
        PledgeRegistered r => text.Format("Entry.PledgeRegistered", r.Title),
        MilestoneLogged m => text.Format("Entry.MilestoneLogged", m.Title),
        MilestoneCorrected c => text.Format("Entry.MilestoneCorrected", c.Title, c.Reason),
        MilestoneRetracted r => text.Format("Entry.MilestoneRetracted", r.MilestoneId, r.Reason),
        StatusAssessed { ReasonCode: { } code } s => text.Format("Entry.StatusAssessedWithCode", text.Status(s.From), text.Status(s.To),
            text.Term("ReasonCode", code.ToString())),
        StatusAssessed s => text.Format("Entry.StatusAssessed", text.Status(s.From), text.Status(s.To)),
        ProgressAssessed p => text.Format("Entry.ProgressAssessed", p.From, p.To),
        EvidenceAttached a => text.Format("Entry.EvidenceAttached", string.Join("; ", a.Evidence.Select(e => e.Title))),
        TargetDateSet t => text.Format("Entry.TargetDateSet", t.TargetDate),
        PledgeDetailsRevised d => text.Format("Entry.PledgeDetailsRevised", d.Reason),
        PledgeBecameOverdue o => text.Format("Entry.PledgeBecameOverdue", o.TargetDate),
        TranslationAdded t => text.Format("Entry.TranslationAdded", text.Translated(t)),
        ReplyRequested q => text.Format("Entry.ReplyRequested", q.To, q.By),
        ReplyRecorded r => text.Format("Entry.ReplyRecorded", r.OnBehalfOf),
        VerifiabilityAssessed a => text.Format("Entry.VerifiabilityAssessed", text.Term("Verifiability", a.To.ToString())),
        StatusProposed p => text.Format("Entry.StatusProposed", text.Status(p.Assessment.From), text.Status(p.Assessment.To)),
        ProposalApproved a => text.Format("Entry.ProposalApproved", a.ProposalId),
        ProposalRejected r => text.Format("Entry.ProposalRejected", text.Status(r.Status), r.Reason),
        _ => data.GetType().Name,
    };

    private static string? Reason(object data, FeedText text) => data switch
    {
        // A verdict decided by review names its proposer and approvers.
        StatusAssessed { ProposedBy: { } by } s => s.Reason + " " + text.Format("Entry.Reviewed", by, string.Join(", ", s.ApprovedBy ?? [])),
        StatusAssessed s => s.Reason,
        ProgressAssessed p => p.Reason,
        MilestoneLogged m => m.Description,
        ReplyRecorded r => r.Text,
        VerifiabilityAssessed a => a.Reason,
        _ => null,
    };

    /// <summary>The namespace of the feed's log elements: the signed checkpoint the feed was written at.</summary>
    public const string LogNamespace = "urn:r2p-tracker:log";

    public static SyndicationFeed Build(string id, string title, Uri self, Uri site, IEnumerable<IEvent> events, IReadOnlyDictionary<string, string> titles,
        FeedText text, string? checkpoint = null)
    {
        // A feed is read by followers as alerts are: the review desk's proposals are not in it, their verdicts are.
        var items = events.Where(e => e.Data is not (StatusProposed or ProposalApproved or ProposalRejected)).OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Version).Take(MaxEntries).Select(e =>
        {
            var pledgeId = e.StreamKey!;
            var name = titles.GetValueOrDefault(pledgeId, pledgeId);
            var page = new Uri(site, $"pledges/{Uri.EscapeDataString(pledgeId)}{LanguageQuery(text)}");
            var item = new SyndicationItem
            {
                Id = $"urn:uuid:{e.Id:D}",
                Title = new TextSyndicationContent(XmlText($"{name} — {Describe(e.Data, text)}")),
                LastUpdatedTime = e.Timestamp,
                PublishDate = e.Timestamp,
                Summary = new TextSyndicationContent(XmlText(
                    text.Format("Entry.Summary", Describe(e.Data, text), Pledges.AsOf.PledgeAsOf.OccurredOn(e.Data) ?? "—", Pledges.AsOf.PledgeAsOf.RecordedBy(e.Data), e.Version)
                    + (Reason(e.Data, text) is { Length: > 0 } reason ? " " + reason : ""))),
            };
            item.Authors.Add(new SyndicationPerson { Name = XmlText(Pledges.AsOf.PledgeAsOf.RecordedBy(e.Data) ?? text["Entry.UnknownAuthor"]) });
            // The entry links to the pledge's page on the dashboard, and to its timeline as JSON.
            item.Links.Add(SyndicationLink.CreateAlternateLink(page, "text/html"));
            item.Links.Add(new SyndicationLink(new Uri(site, $"api/pledges/{Uri.EscapeDataString(pledgeId)}/timeline"), "related", null, "application/json", 0));
            return item;
        }).ToList();

        var feed = new SyndicationFeed(XmlText(title), text["Feed.Subtitle"], site, id,
            items.Count > 0 ? items[0].LastUpdatedTime : DateTimeOffset.UnixEpoch, items)
        {
            // xml:lang on the feed: the language of its labels (titles are in it where a translation exists).
            Language = text.Language,
        };
        feed.Authors.Add(new SyndicationPerson { Name = "R2P Tracker" });
        feed.Links.Add(SyndicationLink.CreateSelfLink(self, "application/atom+xml"));
        foreach (var other in ContentLanguages.Supported.Where(l => l != text.Language))
        {
            // The same feed in the other language, as an alternate a reader can switch to.
            var link = new SyndicationLink(new Uri(self, self.AbsolutePath + LanguageQuery(new FeedText(other))), "alternate", null, "application/atom+xml", 0);
            link.AttributeExtensions.Add(new XmlQualifiedName("hreflang"), other);
            feed.Links.Add(link);
        }
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

    /// <summary>Today's titles of the pledges some entries are about, from the read model: in the feed's language where translated.</summary>
    private static async Task<Dictionary<string, string>> TitlesAsync(NpgsqlDataSource db, IEnumerable<string> ids, FeedText text, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"""
             select pledge_id, coalesce({Pledges.Translating.ReadingLanguage.TranslatedSql("data", "$2", "title")}, title) from {ReadModelSchema.States}
             where axis = 'recorded' and valid_to is null and pledge_id = any($1)
             """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct().ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = text.Language });
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) titles[reader.GetString(0)] = reader.GetString(1);
        return titles;
    }

    /// <summary>English is the feeds' default and needs no parameter; another language is asked for by ?lang=.</summary>
    private static string LanguageQuery(FeedText text) => text.Language == FeedText.English ? "" : $"?{ContentLanguages.QueryName}={text.Language}";

    /// <summary>
    /// The language a feed is asked for in: ?lang= alone (a feed is subscribed to by its URL, and the
    /// gateway caches it by that URL), English without it; an unsupported one is a 400 naming it.
    /// </summary>
    private static FeedText? Language(HttpContext http, out IResult? problem)
    {
        problem = null;
        var asked = Pledges.GettingPledges.PledgeFilter.Single(http.Request.Query, ContentLanguages.QueryName);
        if (asked is null) return FeedText.InEnglish;
        if (ContentLanguages.Normalise(asked) is { } language) return new FeedText(language);
        problem = Problems.Validation(ContentLanguages.QueryName, $"'lang' must be one of: {ContentLanguages.Listed}.");
        return null;
    }

    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static void MapPledgeFeeds(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/feeds/pledges.atom", GetAndHead, async (HttpContext http, IQuerySession session, NpgsqlDataSource db, PublicLinks links, CancellationToken ct) =>
        {
            if (Language(http, out var problem) is not { } text)
            {
                await problem!.ExecuteAsync(http);
                return;
            }
            // Marten fills sequence gaps left by failed appends with tombstone events; they are not changes.
            var events = (await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Take(MaxEntries * 2).ToListAsync(ct))
                .Where(e => e.StreamKey != TombstoneStream).Take(MaxEntries).ToList();
            var titles = await TitlesAsync(db, events.Select(e => e.StreamKey!), text, ct);
            var site = links.Site(http);
            await Write(http, Build("urn:r2p-tracker:feeds:pledges", text["Feed.All"], new Uri(site, "feeds/pledges.atom" + LanguageQuery(text)), site, events,
                titles, text, await Log.LogStore.LatestNoteAsync(db, ct)));
        })
        .WithTags("Feeds").WithSummary("An Atom feed of the latest changes to every pledge.")
        .Produces<string>(StatusCodes.Status200OK, "application/atom+xml").Problems(StatusCodes.Status400BadRequest)
        .WithQuery([ContentLanguages.QueryName]);

        app.MapMethods("/feeds/pledges/{id}.atom", GetAndHead, async (string id, HttpContext http, IQuerySession session, NpgsqlDataSource db, PublicLinks links, CancellationToken ct) =>
        {
            if (Language(http, out var problem) is not { } text)
            {
                await problem!.ExecuteAsync(http);
                return;
            }
            // The newest entries only: a long history is not read to show its last page.
            var events = await session.Events.QueryAllRawEvents().Where(e => e.StreamKey == id)
                .OrderByDescending(e => e.Version).Take(MaxEntries).ToListAsync(ct);
            if (events.Count == 0)
            {
                await Problems.NotFound(id).ExecuteAsync(http);
                return;
            }
            var titles = await TitlesAsync(db, [id], text, ct);
            var site = links.Site(http);
            await Write(http, Build($"urn:r2p-tracker:feeds:pledges:{id}", text.Format("Feed.Pledge", titles.GetValueOrDefault(id, id)),
                new Uri(site, $"feeds/pledges/{Uri.EscapeDataString(id)}.atom{LanguageQuery(text)}"), site, events, titles, text,
                await Log.LogStore.NoteCoveringAsync(db, id, ct)));
        })
        .WithTags("Feeds").WithSummary("An Atom feed of one pledge's latest changes.")
        .Produces<string>(StatusCodes.Status200OK, "application/atom+xml").Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
        .WithQuery([ContentLanguages.QueryName]);
    }
}
