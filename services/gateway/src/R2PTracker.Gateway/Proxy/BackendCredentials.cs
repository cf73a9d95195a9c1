using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace R2PTracker.Gateway.Proxy;

/// <summary>
/// What reaches a backend of the client's credentials: nothing, on every route, but what the route
/// needs. The staff cookie, the anti-forgery cookie and header, and the client's Authorization header
/// are removed; a staff write gets instead the internal JWT that <see cref="Staff.StaffAuthentication"/>
/// minted for it, and a route whose metadata says "Authorization": "manage-token" (the subscriptions'
/// management) passes on a subscription's manage token (notifications' "r2pm_" tokens) and nothing else,
/// so a staff token sent there by mistake goes no further.
/// </summary>
public sealed class BackendCredentials : ITransformProvider
{
    public const string InternalTokenItem = "r2p.internal-token";
    public const string ManageTokenPrefix = "r2pm_";

    public void ValidateRoute(TransformRouteValidationContext context) { }

    public void ValidateCluster(TransformClusterValidationContext context) { }

    public void Apply(TransformBuilderContext context)
    {
        var passManageToken = context.Route.Metadata?.GetValueOrDefault("Authorization") == "manage-token";
        context.AddRequestTransform(transform =>
        {
            var headers = transform.ProxyRequest.Headers;
            headers.Remove("Cookie");
            headers.Remove("Authorization");
            headers.Remove("X-CSRF-TOKEN");
            var http = transform.HttpContext;
            if (http.Items[InternalTokenItem] is string token)
                headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            else if (passManageToken && IsManageToken(http.Request.Headers.Authorization.ToString()))
                headers.TryAddWithoutValidation("Authorization", http.Request.Headers.Authorization.ToString());
            return ValueTask.CompletedTask;
        });
    }

    private static bool IsManageToken(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && authorization["Bearer ".Length..].TrimStart().StartsWith(ManageTokenPrefix, StringComparison.Ordinal);
}
