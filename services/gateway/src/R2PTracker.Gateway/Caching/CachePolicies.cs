using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway.Caching;

public static class CachePolicies
{
    /// <summary>Every cached public GET: API reads, feeds, exports and the dashboard's pages.</summary>
    public const string PublicReads = "public-reads";

    /// <summary>Lists, tallies, the all-pledges feed, the exports and the list page: they change with any pledge.</summary>
    public const string ListsTag = "pledge-lists";

    /// <summary>Every cached read: an import may change any number of pledges.</summary>
    public const string AllTag = "public-reads";

    /// <summary>What shows one pledge: its detail, timeline, history, feed and dashboard page.</summary>
    public static string PledgeTag(string pledgeId) => "pledge:" + pledgeId;

    /// <summary>
    /// Public GETs are cached per path and the parameters the route reads (<see cref="RouteParameters"/>)
    /// and tagged by the pledge they show, so a change to one pledge evicts that pledge's pages and
    /// the lists, not every other pledge's. An export or feed is therefore one entry per path, kept
    /// until the next change to the store evicts it: the export of the store's current version,
    /// whatever query string asks for it. The default policy's rules stay: requests with an
    /// Authorization header or a signed-in user are neither served from nor stored in the cache.
    /// </summary>
    public static void AddPublicReadCache(this IServiceCollection services)
    {
        services.AddSettings<OutputCacheSettings>(OutputCacheSettings.Section);
        services.AddOutputCache();
        services.AddOptions<OutputCacheOptions>().Configure<IOptions<OutputCacheSettings>>((o, settings) =>
        {
            o.SizeLimit = settings.Value.SizeLimitBytes;
            o.AddPolicy(PublicReads, b => b
                .Tag(AllTag)
                .AddPolicy<KnownParametersPolicy>()
                // The dashboard's pages are in the reader's language (cookie, ?lang, Accept-Language).
                .VaryByValue(http => new("language", Dashboard.Localisation.DashboardLanguages.Of(http)))
                .Expire(settings.Value.Expiry));
        });
    }

    /// <summary>The pledge id a path is about, if any: /api/pledges/{id}[/…], /pledges/{id}, /feeds/pledges/{id}.atom.</summary>
    public static string? PledgeIdOf(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["api", "pledges", var id, ..] => id,
            ["pledges", var id, ..] => id,
            ["feeds", "pledges", var file] when file.EndsWith(".atom", StringComparison.Ordinal) => file[..^".atom".Length],
            _ => null,
        };
    }

    public static async Task EvictAsync(IOutputCacheStore cache, string? pledgeId, CancellationToken ct)
    {
        await cache.EvictByTagAsync(ListsTag, ct);
        if (pledgeId is not null) await cache.EvictByTagAsync(PledgeTag(pledgeId), ct);
    }

    private sealed class KnownParametersPolicy(Telemetry.GatewayTelemetry telemetry) : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken ct)
        {
            var request = context.HttpContext.Request;
            var parameters = RouteParameters.For(request.Path);
            context.CacheVaryByRules.QueryKeys = new StringValues([.. parameters.Known]);
            // Without ?lang= the answer's language comes from Accept-Language: the key holds that language
            // as commitments reads it (km, en or none), not the header, which differs from browser to browser.
            if (parameters.Localised && !request.Query.ContainsKey(ContentLanguages.QueryName))
                context.CacheVaryByRules.VaryByValues["accept-language"] =
                    ContentLanguages.FromAcceptLanguage(request.Headers.AcceptLanguage.ToString()) ?? "";
            if (parameters.OthersRefused && parameters.FirstUnknown(request.Query) is not null)
            {
                // It is refused further on; neither looked up nor stored.
                context.AllowCacheLookup = false;
                context.AllowCacheStorage = false;
            }
            var pledgeId = PledgeIdOf(request.Path);
            context.Tags.Add(pledgeId is null ? ListsTag : PledgeTag(pledgeId));
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken ct)
        {
            telemetry.CacheHit();
            return ValueTask.CompletedTask;
        }

        /// <summary>Called for a response made by the backend (not served from the cache) that may be stored.</summary>
        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken ct)
        {
            if (context.AllowCacheLookup) telemetry.CacheMiss();
            return ValueTask.CompletedTask;
        }
    }
}
