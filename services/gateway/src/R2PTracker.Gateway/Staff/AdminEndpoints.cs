using Microsoft.AspNetCore.Antiforgery;

namespace R2PTracker.Gateway.Staff;

public record AddStaffRequest(string? Name, string? Role);

/// <summary>
/// Staff management for admins (a bearer admin token, or an admin's dashboard session with its
/// anti-forgery header): list accounts with their last use, add one (the token is shown once),
/// revoke one.
/// </summary>
public static class AdminEndpoints
{
    public static void MapStaffAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/staff").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var store = http.RequestServices.GetRequiredService<StaffStore>();
            var header = http.Request.Headers.Authorization.ToString();
            StaffMember? staff = null;
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                staff = await store.FindByTokenAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
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
            return await next(context);
        });

        admin.MapGet("", async (StaffStore store, CancellationToken ct) => Results.Ok(await store.ListAsync(ct)));

        admin.MapPost("", async (AddStaffRequest? request, StaffStore store, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrWhiteSpace(request?.Name) || request.Name.Length > 100) errors["name"] = ["'name' is required (at most 100 characters)."];
            if (request?.Role is null || !StaffStore.Roles.Contains(request.Role)) errors["role"] = [$"'role' must be one of: {string.Join(", ", StaffStore.Roles)}."];
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The request is not valid.");
            var (id, token) = await store.AddWithIdAsync(request!.Name!, request.Role!, ct);
            loggers.CreateLogger("R2PTracker.Gateway.Staff").LogInformation("Staff account {Name} ({Role}) added", request.Name, request.Role);
            return Results.Created($"/api/admin/staff/{id}", new { id, name = request.Name, role = request.Role, token });
        });

        admin.MapDelete("/{id:guid}", async (Guid id, StaffStore store, CancellationToken ct) =>
            await store.RevokeByIdAsync(id, ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No active staff account has that id."));
    }
}
