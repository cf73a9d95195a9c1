using Microsoft.AspNetCore.OutputCaching;

namespace R2PTracker.Gateway.Caching;

public static class CachePolicies
{
    public const string PublicReads = "public-reads";
    public const string PledgesTag = "pledges";

    /// <summary>
    /// Public GETs are cached per path and full query (asOf, axis, status …) and tagged, so one
    /// eviction refreshes every page. The default policy's rules stay: requests with an
    /// Authorization header or a signed-in user are neither served from nor stored in the cache.
    /// </summary>
    public static void AddPublicReadCache(this IServiceCollection services, IConfiguration configuration)
    {
        var ttl = configuration.GetValue("OutputCache:Seconds", 300);
        services.AddOutputCache(o =>
        {
            o.AddPolicy(PublicReads, b => b
                .SetVaryByQuery("*")
                .Tag(PledgesTag)
                .Expire(TimeSpan.FromSeconds(ttl)));
        });
    }
}
