using Marten;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Subscriptions.Subscribing;

namespace R2PTracker.Notifications.Subscriptions.Managing;

/// <summary>What a subscriber sees of their subscription (never a secret or token).</summary>
public record SubscriptionView(
    Guid Id, string Kind, string? Url, string? Email, SubscriptionFilter Filter, string Status, DateTimeOffset CreatedAt,
    DateTimeOffset? ConfirmedAt, DateTimeOffset? FailingSince, DateTimeOffset? DisabledAt, string? DisabledReason,
    DateTimeOffset? PreviousSecretExpiresAt, string? Language)
{
    public static SubscriptionView Of(Subscription s) => new(s.Id, s.Kind, s.Url, s.Email, s.Filter, s.Status, s.CreatedAt,
        s.ConfirmedAt, s.FailingSince, s.DisabledAt, s.DisabledReason, s.PreviousSecretExpiresAt,
        s.Kind == SubscriptionKinds.Email ? s.Language : null);
}

public record SecretRotated(Guid Id, string Secret, DateTimeOffset PreviousSecretExpiresAt);

public record DeliveryView(
    string Id, Guid EventId, string Type, string? PledgeId, string Status, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt, string? DeadReason, IReadOnlyList<DeliveryAttempt> Attempts);

/// <summary>
/// GET/DELETE /api/subscriptions/{id}, rotate-secret and the delivery log, each for the holder of
/// the subscription's manage token (Authorization: Bearer …). A wrong token and an unknown id both
/// answer 404, so ids cannot be probed.
/// </summary>
public static class ManageSubscriptionSlice
{
    public static void MapManageSubscription(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/subscriptions/{id:guid}", async (Guid id, HttpRequest http, IQuerySession session, CancellationToken ct) =>
        {
            var (error, subscription) = await Authorised(id, http, session, ct);
            return error ?? Results.Ok(SubscriptionView.Of(subscription!));
        })
        .WithTags("Subscriptions").WithSummary("A subscription, for the holder of its manage token.")
        .Produces<SubscriptionView>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapDelete("/api/subscriptions/{id:guid}", async (Guid id, HttpRequest http, IDocumentSession session, CancellationToken ct) =>
        {
            var (error, _) = await Authorised(id, http, session, ct);
            if (error is not null) return error;
            // Pending deliveries find the subscription gone and are cancelled by the dispatcher.
            session.Delete<Subscription>(id);
            await session.SaveChangesAsync(ct);
            return Results.NoContent();
        })
        .WithTags("Subscriptions").WithSummary("Delete a subscription (its pending deliveries are cancelled).")
        .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/api/subscriptions/{id:guid}/rotate-secret", async (
            Guid id, HttpRequest http, IDocumentSession session, DeliveryOptions options, TimeProvider clock, CancellationToken ct) =>
        {
            var (error, subscription) = await Authorised(id, http, session, ct);
            if (error is not null) return error;
            if (subscription!.Kind != SubscriptionKinds.Webhook)
                return Results.Problem(statusCode: 409, title: "Only webhook subscriptions have a signing secret.");
            var expires = clock.GetUtcNow() + options.SecretRotationOverlap;
            var rotated = subscription with
            {
                Secret = SubscribeSlice.NewSecret(), PreviousSecret = subscription.Secret, PreviousSecretExpiresAt = expires,
            };
            session.Store(rotated);
            await session.SaveChangesAsync(ct);
            return Results.Ok(new SecretRotated(id, rotated.Secret, expires));
        })
        .WithTags("Subscriptions").WithSummary("A new signing secret for a webhook; the previous one stays valid for an overlap.")
        .Produces<SecretRotated>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapGet("/api/subscriptions/{id:guid}/deliveries", async (Guid id, HttpRequest http, IQuerySession session, CancellationToken ct) =>
        {
            var (error, _) = await Authorised(id, http, session, ct);
            if (error is not null) return error;
            var deliveries = await session.Query<Delivery.Delivery>().Where(d => d.SubscriptionId == id)
                .OrderByDescending(d => d.CreatedAt).Take(200).ToListAsync(ct);
            return Results.Ok(deliveries.Select(d => new DeliveryView(d.Id, d.EventId, d.Type, d.PledgeId, d.Status, d.CreatedAt,
                d.Status == DeliveryStatuses.Pending ? d.NextAttemptAt : null, d.DeliveredAt, d.DeadReason, d.Attempts)));
        })
        .WithTags("Subscriptions").WithSummary("The subscription's latest 200 deliveries and their outcomes.")
        .Produces<DeliveryView[]>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<(IResult? Error, Subscription? Subscription)> Authorised(
        Guid id, HttpRequest http, IQuerySession session, CancellationToken ct)
    {
        var header = http.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            http.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return (Results.Problem(statusCode: 401, title: "The subscription's manage token is required.",
                detail: "Send it as 'Authorization: Bearer <manageToken>'."), null);
        }
        var subscription = await session.LoadAsync<Subscription>(id, ct);
        if (subscription is null || !Tokens.MatchesHash(header["Bearer ".Length..].Trim(), subscription.ManageTokenHash))
            return (Results.Problem(statusCode: 404, title: "No such subscription for this token."), null);
        return (null, subscription);
    }
}
