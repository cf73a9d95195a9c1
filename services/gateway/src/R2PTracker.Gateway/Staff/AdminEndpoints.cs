using Microsoft.AspNetCore.Antiforgery;
using R2PTracker.Gateway.Proxy;

namespace R2PTracker.Gateway.Staff;

public record AddStaffRequest(string? Name, string? Role);

/// <summary>A new staff account and its token, which is not stored and cannot be shown again.</summary>
public record StaffAdded(Guid Id, string Name, string Role, string Token);

/// <summary>
/// Staff management for admins (a bearer admin token, or an admin's dashboard session with its
/// anti-forgery header): list accounts with their last use, add one (the token is shown once),
/// revoke one, and read the audit log of those changes (GET /api/admin/staff/audit, newest first).
/// A bad bearer token here counts as a failed sign-in, as on writes.
/// </summary>
public static class AdminEndpoints
{
    public const int AuditEntries = 500;

    private const string AdminItem = "r2p.admin";

    public static void MapStaffAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/staff").RequireRateLimiting(RateLimits.PublicReads).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var store = http.RequestServices.GetRequiredService<StaffStore>();
            var header = http.Request.Headers.Authorization.ToString();
            StaffMember? staff = null;
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                var limiter = http.RequestServices.GetRequiredService<SignInLimiter>();
                if (limiter.IsBlocked(http))
                {
                    await limiter.RefuseAsync(http);
                    return Results.Empty;
                }
                staff = await store.FindByTokenAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
                if (staff is null) limiter.RecordFailure(http);
            }
            else if (await StaffSession.CurrentAsync(http, store) is { } session)
            {
                var safe = HttpMethods.IsGet(http.Request.Method);
                if (safe || await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
                    staff = new StaffMember(session.Id, session.Name, session.Role);
            }
            if (staff is null)
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Staff sign-in required.");
            if (staff.Role != "admin")
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Admins only.",
                    detail: "Managing staff needs the admin role.");
            http.Items[AdminItem] = staff;
            return await next(context);
        })
        .WithTags("Staff administration")
        .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);

        admin.MapGet("", async (StaffStore store, CancellationToken ct) => Results.Ok(await store.ListAsync(ct)))
            .WithSummary("The staff accounts (admins only).").Produces<StaffAccount[]>();

        admin.MapGet("/audit", async (StaffStore store, CancellationToken ct) => Results.Ok(await store.AuditAsync(AuditEntries, ct)))
            .WithSummary("The latest 500 changes to staff accounts (admins only).").Produces<StaffAuditEntry[]>();

        admin.MapPost("", async (AddStaffRequest? request, HttpContext http, StaffStore store, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrWhiteSpace(request?.Name) || request.Name.Length > 100) errors["name"] = ["'name' is required (at most 100 characters)."];
            if (request?.Role is null || !StaffStore.Roles.Contains(request.Role)) errors["role"] = [$"'role' must be one of: {string.Join(", ", StaffStore.Roles)}."];
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The request is not valid.");
            var by = Admin(http);
            var (id, token) = await store.AddWithIdAsync(request!.Name!, request.Role!, by.Name, ct);
            loggers.CreateLogger("R2PTracker.Gateway.Staff").LogInformation("Staff account {Name} ({Role}) added by {Admin}", request.Name, request.Role, by.Name);
            return Results.Created($"/api/admin/staff/{id}", new StaffAdded(id, request.Name!, request.Role!, token));
        })
        .WithSummary("Add a staff account; its token is shown once (admins only).")
        .Produces<StaffAdded>(StatusCodes.Status201Created).ProducesValidationProblem();

        admin.MapDelete("/{id:guid}", async (Guid id, HttpContext http, StaffStore store, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var by = Admin(http);
            if (!await store.RevokeByIdAsync(id, by.Name, ct))
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No active staff account has that id.");
            loggers.CreateLogger("R2PTracker.Gateway.Staff").LogInformation("Staff account {Id} revoked by {Admin}", id, by.Name);
            return Results.NoContent();
        })
        .WithSummary("Revoke a staff account (admins only).")
        .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static StaffMember Admin(HttpContext http) =>
        http.Items[AdminItem] as StaffMember ?? throw new InvalidOperationException("The admin filter did not run.");
}
