using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;
using Yarp.ReverseProxy;

namespace R2PTracker.Gateway.ApiDescription;

/// <summary>A YARP route as the API description needs it: what it matches and what the gateway adds on its way.</summary>
public sealed record PublicRoute(
    string RouteId, string ClusterId, string Path, IReadOnlyList<string>? Methods, int Order, string? RateLimiterPolicy,
    IReadOnlyDictionary<string, string>? Metadata)
{
    private readonly RoutePattern _pattern = RoutePatternFactory.Parse(Path);

    public static IReadOnlyList<PublicRoute> From(IProxyStateLookup proxy) =>
        proxy.GetRoutes().Select(r => r.Config)
            .Where(c => c.ClusterId is not null && c.Match.Path is not null)
            .Select(c => new PublicRoute(c.RouteId, c.ClusterId!, c.Match.Path!, c.Match.Methods, c.Order ?? 0, c.RateLimiterPolicy, c.Metadata))
            .ToList();

    /// <summary>
    /// Whether a request to the described path template (e.g. "/api/pledges/{id}/history") with this method
    /// reaches this route: literal segments are equal, a parameter of the route takes any segment (a literal
    /// one only if it passes the parameter's regex constraint), a catch-all takes the rest.
    /// </summary>
    public bool Forwards(string pathTemplate, string method)
    {
        if (Methods is { Count: > 0 } && !Methods.Contains(method, StringComparer.OrdinalIgnoreCase)) return false;
        var segments = pathTemplate.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var i = 0;
        foreach (var segment in _pattern.PathSegments)
        {
            if (segment.Parts is [RoutePatternParameterPart { IsCatchAll: true }]) return true;
            if (i >= segments.Length) return false;
            var described = segments[i++];
            switch (segment.Parts)
            {
                case [RoutePatternLiteralPart literal]:
                    if (!string.Equals(literal.Content, described, StringComparison.OrdinalIgnoreCase)) return false;
                    break;
                case [RoutePatternParameterPart parameter]:
                    if (!described.Contains('{') && !PassesConstraints(parameter, described)) return false;
                    break;
                default:
                    // Complex segments ("{a}.{b}") are not used in the proxy's configuration: compare them as text.
                    if (!string.Equals(string.Concat(segment.Parts.Select(Text)), described, StringComparison.OrdinalIgnoreCase)) return false;
                    break;
            }
        }
        return i == segments.Length;
    }

    /// <summary>Of the routes that forward a request, the one that takes it: the lowest Order, then the most specific.</summary>
    public static PublicRoute? Taking(IEnumerable<PublicRoute> routes, string pathTemplate, string method) =>
        routes.Where(r => r.Forwards(pathTemplate, method))
            .OrderBy(r => r.Order)
            .ThenBy(r => r._pattern.Parameters.Any(p => p.IsCatchAll) ? 1 : 0)
            .ThenByDescending(r => r._pattern.PathSegments.Count)
            .FirstOrDefault();

    private static bool PassesConstraints(RoutePatternParameterPart parameter, string value) =>
        parameter.ParameterPolicies.All(p => p.Content is not { } content || !content.StartsWith("regex(", StringComparison.Ordinal)
            || Regex.IsMatch(value, content["regex(".Length..^1], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));

    private static string Text(RoutePatternPart part) => part switch
    {
        RoutePatternLiteralPart l => l.Content,
        RoutePatternSeparatorPart s => s.Content,
        RoutePatternParameterPart p => "{" + p.Name + "}",
        _ => "",
    };
}
