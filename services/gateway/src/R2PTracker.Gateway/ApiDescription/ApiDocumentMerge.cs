using System.Text.Json.Nodes;

namespace R2PTracker.Gateway.ApiDescription;

/// <summary>
/// Builds the public document from the gateway's own and its backends' (all as JSON): a backend's
/// operation goes in only if a route of the proxy forwards it, with what the gateway adds on its way
/// (rate limits, staff authentication, body limits, the proxy's own problems). Schemas of the same name
/// and different content are renamed with the service's name, so no reference changes meaning.
/// </summary>
public static class ApiDocumentMerge
{
    public const string StaffToken = "staffToken";
    public const string StaffSession = "staffSession";
    public const string AntiForgery = "antiForgery";
    public const string ManageToken = "manageToken";

    private const string ProblemRef = "#/components/schemas/ProblemDetails";
    private static readonly string[] SafeMethods = ["get", "head", "options"];

    public static readonly IReadOnlyDictionary<int, string> GatewayProblems = new Dictionary<int, string>
    {
        [401] = "Staff sign-in required: no staff token or sign-in, or an unknown or revoked token.",
        [403] = "Not allowed: the role does not permit it, or the anti-forgery check failed.",
        [413] = "The request body is too large.",
        [429] = "Too many requests from this client (Retry-After says when to try again).",
        [502] = "The service could not be reached.",
        [503] = "The service is unavailable.",
        [504] = "The service did not answer in time.",
    };

    /// <summary>Adds the operations of <paramref name="backend"/> that <paramref name="routes"/> forward; returns how many.</summary>
    public static int AddBackend(JsonObject target, JsonObject backend, string service, IReadOnlyList<PublicRoute> routes)
    {
        var renames = MergeComponents(target, backend, service);
        var paths = Object(target, "paths");
        var added = 0;
        foreach (var (path, item) in Object(backend, "paths"))
        {
            if (item is not JsonObject operations) continue;
            foreach (var (method, operation) in operations)
            {
                if (operation is not JsonObject op || !IsMethod(method)) continue;
                if (PublicRoute.Taking(routes, path, method) is not { } route) continue;
                var copy = (JsonObject)op.DeepClone();
                Rewrite(copy, renames);
                AddGatewayAnswers(copy, path, method, route);
                Object(paths, path)[method] = copy;
                added++;
            }
        }
        return added;
    }

    /// <summary>The document's title, security schemes, the problem schema and the staff security of the gateway's own admin routes.</summary>
    public static void Finish(JsonObject target)
    {
        target["info"] = new JsonObject
        {
            ["title"] = "R2P Tracker public API",
            ["version"] = "v1",
            ["description"] = "Everything the gateway serves or forwards: the pledges and their history, tallies, feeds, "
                              + "open-data exports, subscriptions and the transparency log. Writes need a staff member "
                              + "(Authorization: Bearer <staff token>, or the dashboard's sign-in cookie with its anti-forgery header); "
                              + "errors are RFC 9457 problem details.",
        };
        target.Remove("servers");
        var components = Object(target, "components");
        var schemes = Object(components, "securitySchemes");
        schemes[StaffToken] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "A staff member's token (made with `staff add`)." };
        schemes[StaffSession] = new JsonObject { ["type"] = "apiKey", ["in"] = "cookie", ["name"] = Staff.StaffSession.CookieName, ["description"] = "The dashboard's sign-in." };
        schemes[AntiForgery] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "X-CSRF-TOKEN", ["description"] = "The dashboard's anti-forgery token, with the sign-in cookie." };
        schemes[ManageToken] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "A subscription's manage token (r2pm_…), given when it was made." };
        var schemas = Object(components, "schemas");
        schemas.TryAdd("ProblemDetails", new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["type"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
                ["title"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
                ["status"] = new JsonObject { ["type"] = new JsonArray("null", "integer"), ["format"] = "int32" },
                ["detail"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
                ["instance"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
            },
        });
        foreach (var (path, item) in Object(target, "paths"))
            if (path.StartsWith("/api/admin/", StringComparison.Ordinal) && item is JsonObject operations)
                foreach (var (method, op) in operations)
                    if (op is JsonObject o && IsMethod(method)) o["security"] = StaffSecurity();
    }

    private static void AddGatewayAnswers(JsonObject op, string path, string method, PublicRoute route)
    {
        var responses = Object(op, "responses");
        var staffWrite = (!SafeMethods.Contains(method)
                          && (path.StartsWith("/api/pledges", StringComparison.Ordinal) || path.StartsWith(Staff.StaffAuthentication.ImportPath, StringComparison.Ordinal))
                          && !Staff.SubmissionRoutes.IsPublic(path))
                         || Staff.SubmissionRoutes.IsStaffOnly(path)
                         || path.StartsWith(Staff.StaffAuthentication.ProposalsPath, StringComparison.Ordinal);
        if (staffWrite)
        {
            op["security"] = StaffSecurity();
            AddProblem(responses, 401);
            AddProblem(responses, 403);
        }
        else if (route.Metadata?.GetValueOrDefault("Authorization") == "manage-token" && responses.ContainsKey("401"))
        {
            op["security"] = new JsonArray(new JsonObject { [ManageToken] = new JsonArray() });
        }
        if (op.ContainsKey("requestBody")) AddProblem(responses, 413);
        if (route.RateLimiterPolicy is not null) AddProblem(responses, 429);
        foreach (var status in new[] { 502, 503, 504 }) AddProblem(responses, status);
    }

    private static JsonArray StaffSecurity() => new(
        new JsonObject { [StaffToken] = new JsonArray() },
        new JsonObject { [StaffSession] = new JsonArray(), [AntiForgery] = new JsonArray() });

    private static void AddProblem(JsonObject responses, int status)
    {
        if (responses.ContainsKey(status.ToString(System.Globalization.CultureInfo.InvariantCulture))) return;
        responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
        {
            ["description"] = GatewayProblems[status],
            ["content"] = new JsonObject
            {
                ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = ProblemRef } },
            },
        };
    }

    /// <summary>Copies the backend's components; a name taken by different content gets the service's prefix.</summary>
    private static Dictionary<string, string> MergeComponents(JsonObject target, JsonObject backend, string service)
    {
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        if (backend["components"] is not JsonObject components) return renames;
        var prefix = char.ToUpperInvariant(service[0]) + service[1..];
        foreach (var (kind, entries) in components)
        {
            if (entries is not JsonObject named) continue;
            var existing = Object(Object(target, "components"), kind);
            foreach (var (name, value) in named)
                if (existing[name] is { } taken && !JsonNode.DeepEquals(taken, value))
                    renames[$"#/components/{kind}/{name}"] = $"#/components/{kind}/{prefix}{name}";
        }
        foreach (var (kind, entries) in components)
        {
            if (entries is not JsonObject named) continue;
            var existing = Object(Object(target, "components"), kind);
            foreach (var (name, value) in named)
            {
                var copy = value!.DeepClone();
                Rewrite(copy, renames);
                var key = renames.TryGetValue($"#/components/{kind}/{name}", out var renamed) ? renamed[(renamed.LastIndexOf('/') + 1)..] : name;
                existing[key] = copy;
            }
        }
        return renames;
    }

    private static void Rewrite(JsonNode? node, Dictionary<string, string> renames)
    {
        if (renames.Count == 0) return;
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"] is JsonValue r && r.TryGetValue<string>(out var reference) && renames.TryGetValue(reference, out var renamed))
                    o["$ref"] = renamed;
                foreach (var (_, child) in o.ToList()) Rewrite(child, renames);
                break;
            case JsonArray a:
                foreach (var child in a) Rewrite(child, renames);
                break;
        }
    }

    private static bool IsMethod(string key) => key is "get" or "put" or "post" or "delete" or "options" or "head" or "patch" or "trace";

    private static JsonObject Object(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o) return o;
        var created = new JsonObject();
        parent[name] = created;
        return created;
    }
}
