using System.Net;
using Marten;
using R2PTracker.Notifications.Email;

namespace R2PTracker.Notifications.Subscriptions.Confirming;

/// <summary>
/// The links in e-mails, under /api/subscriptions so the gateway routes them as it is. GET shows a
/// page with a button (mail scanners that pre-fetch links must not confirm or unsubscribe anyone);
/// POST does it. The unsubscribe POST is also RFC 8058's one-click target
/// (body "List-Unsubscribe=One-Click").
/// </summary>
public static class ConfirmAndUnsubscribeSlice
{
    public static void MapConfirmAndUnsubscribe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/subscriptions/{id:guid}/confirm", (Guid id, string? token) =>
            Page("Confirm your R2P Tracker alerts", "Confirm my subscription", $"/api/subscriptions/{id}/confirm?token={Uri.EscapeDataString(token ?? "")}"))
            .WithTags("Subscriptions").WithSummary("The page behind an e-mail's confirmation link: a button that confirms.")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        app.MapGet("/api/subscriptions/{id:guid}/unsubscribe", (Guid id, string? token) =>
            Page("Unsubscribe from R2P Tracker alerts", "Unsubscribe", $"/api/subscriptions/{id}/unsubscribe?token={Uri.EscapeDataString(token ?? "")}"))
            .WithTags("Subscriptions").WithSummary("The page behind an e-mail's unsubscribe link: a button that unsubscribes.")
            .Produces<string>(StatusCodes.Status200OK, "text/html");

        app.MapPost("/api/subscriptions/{id:guid}/confirm", async (
            Guid id, string? token, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        {
            var subscription = await session.LoadAsync<Subscription>(id, ct);
            var check = subscription is null ? TokenCheck.Invalid : Tokens.VerifyExpiring(subscription, EmailSender.ConfirmPurpose, token, clock.GetUtcNow());
            if (check == TokenCheck.Invalid) return NotFound();
            if (check == TokenCheck.Expired && subscription!.Status == SubscriptionStatuses.PendingConfirmation)
                return Results.Problem(statusCode: StatusCodes.Status410Gone, title: "This confirmation link has expired.",
                    detail: "Subscribe again to get a new confirmation mail.");
            if (subscription!.Status == SubscriptionStatuses.PendingConfirmation)
            {
                session.Store(subscription with { Status = SubscriptionStatuses.Active, ConfirmedAt = clock.GetUtcNow() });
                await session.SaveChangesAsync(ct);
            }
            return Results.Content(Html("Subscription confirmed", "<p>Alerts will now be sent to this address. Every alert has an unsubscribe link.</p>"), "text/html");
        }).DisableAntiforgery()
        .WithTags("Subscriptions").WithSummary("Confirm an e-mail subscription with the token from its confirmation mail.")
        .Produces<string>(StatusCodes.Status200OK, "text/html")
        .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);

        app.MapPost("/api/subscriptions/{id:guid}/unsubscribe", async (
            Guid id, string? token, IDocumentSession session, CancellationToken ct) =>
        {
            var subscription = await session.LoadAsync<Subscription>(id, ct);
            if (subscription is null || !Tokens.VerifyPurpose(subscription, EmailSender.UnsubscribePurpose, token))
                return NotFound();
            if (subscription.Status != SubscriptionStatuses.Unsubscribed)
            {
                session.Store(subscription with { Status = SubscriptionStatuses.Unsubscribed });
                await session.SaveChangesAsync(ct);
            }
            return Results.Content(Html("Unsubscribed", "<p>No more alerts will be sent to this address.</p>"), "text/html");
        }).DisableAntiforgery()
        .WithTags("Subscriptions").WithSummary("Unsubscribe with the token from an alert (also RFC 8058's one-click target).")
        .Produces<string>(StatusCodes.Status200OK, "text/html")
        .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: 404, title: "This link is not valid.", detail: "The subscription does not exist or the token does not match.");

    private static IResult Page(string title, string button, string action) => Results.Content(Html(title,
        $"<form method=\"post\" action=\"{WebUtility.HtmlEncode(action)}\"><button type=\"submit\">{WebUtility.HtmlEncode(button)}</button></form>"),
        "text/html");

    private static string Html(string title, string body) =>
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body><h1>{WebUtility.HtmlEncode(title)}</h1>{body}</body></html>";
}
