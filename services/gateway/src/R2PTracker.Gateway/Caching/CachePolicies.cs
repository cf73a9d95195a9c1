using Microsoft.AspNetCore.OutputCaching;

namespace R2PTracker.Gateway.Caching;

public static class CachePolicies
{
    public const string PublicReads = "public-reads";

    /// <summary>The dashboard's list page: keyed by the parameters it reads (<see cref="Dashboard.ListQuery.Names"/>)
    /// and nothing else, since it ignores anything else.</summary>
    public const string DashboardList = "dashboard-list";

    /// <summary>A pledge's dashboard page: keyed by the as-of date and axis its status bands follow.</summary>
    public const string DashboardPledge = "dashboard-pledge";

    private static readonly string[] PledgePageParameters = ["asOf", "axis"];

    /// <summary>Lists, tallies, the all-pledges feed and the exports: they change with any pledge.</summary>
    public const string ListsTag = "pledge-lists";

    /// <summary>Every cached read: an import may change any number of pledges.</summary>
    public const string AllTag = "public-reads";

    /// <summary>What shows one pledge: its detail, timeline, history, feed and dashboard page.</summary>
    public static string PledgeTag(string pledgeId) => "pledge:" + pledgeId;

    /// <summary>
    /// Public GETs are cached per path and full query (asOf, axis, status …) and tagged by the
    /// pledge they show, so a change to one pledge evicts that pledge's pages and the lists,
    /// not every other pledge's. The default policy's rules stay: requests with an
    /// Authorization header or a signed-in user are neither served from nor stored in the cache.
    /// </summary>
    public static void AddPublicReadCache(this IServiceCollection services, IConfiguration configuration)
    {
        var ttl = configuration.GetValue("OutputCache:Seconds", 300);
        services.AddOutputCache(o =>
        {
            o.AddPolicy(PublicReads, b => b
                .SetVaryByQuery("*")
                .Tag(AllTag)
                .AddPolicy<PledgeTagPolicy>()
                .Expire(TimeSpan.FromSeconds(ttl)));
            o.AddPolicy(DashboardList, b => b
                .SetVaryByQuery(Dashboard.ListQuery.Names)
                .AddPolicy<PledgeTagPolicy>()
                .Expire(TimeSpan.FromSeconds(ttl)));
            o.AddPolicy(DashboardPledge, b => b
                .SetVaryByQuery(PledgePageParameters)
                .AddPolicy<PledgeTagPolicy>()
                .Expire(TimeSpan.FromSeconds(ttl)));
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

    private sealed class PledgeTagPolicy : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken ct)
        {
            var pledgeId = PledgeIdOf(context.HttpContext.Request.Path);
            context.Tags.Add(pledgeId is null ? ListsTag : PledgeTag(pledgeId));
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken ct) => ValueTask.CompletedTask;
    }
}
