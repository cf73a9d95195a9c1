using System.Net.Mail;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Security;

namespace R2PTracker.Notifications.Subscriptions.Subscribing;

public record FilterRequest(IReadOnlyList<string?>? PledgeIds, string? Country, string? Actor, IReadOnlyList<string?>? EventTypes);

/// <summary>
/// A new subscription. <c>pledgeIds</c> at the top level is the walking skeleton's shape and is
/// still accepted; it means the same as <c>filter.pledgeIds</c>.
/// </summary>
public record SubscribeRequest(string? Kind, string? Url, string? Email = null, FilterRequest? Filter = null, IReadOnlyList<string?>? PledgeIds = null);

/// <summary>The answer to a new subscription: the only time the manage token and the secret are shown.</summary>
public record SubscriptionCreated(
    Guid Id, string Kind, string? Url, string? Email, SubscriptionFilter Filter, string Status,
    string ManageToken, string? Secret, DateTimeOffset CreatedAt);

public static partial class SubscribeSlice
{
    public static readonly string[] EventTypes = ["pledge.registered", "pledge.status_changed", "pledge.milestone_logged"];
    private static readonly TimeSpan ConfirmationThrottle = TimeSpan.FromMinutes(1);

    /// <summary>Checks the shape of the request (the URL's addresses are checked by <see cref="UrlGuard"/>).</summary>
    public static Dictionary<string, string[]> Validate(SubscribeRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null) return new() { ["body"] = ["A JSON body is required."] };
        switch (request.Kind)
        {
            case SubscriptionKinds.Webhook:
                if (string.IsNullOrWhiteSpace(request.Url)) errors["url"] = ["'url' is required for a webhook."];
                else if (request.Url.Length > 2000
                         || !Uri.TryCreate(request.Url, UriKind.Absolute, out var uri)
                         || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    errors["url"] = ["'url' must be an absolute http or https URL."];
                if (request.Email is not null) errors["email"] = ["'email' is for e-mail subscriptions; a webhook has a 'url'."];
                break;
            case SubscriptionKinds.Email:
                if (string.IsNullOrWhiteSpace(request.Email)) errors["email"] = ["'email' is required for an e-mail subscription."];
                else if (request.Email.Length > 254 || !MailAddress.TryCreate(request.Email, out var address)
                         || address.Address != request.Email.Trim() || !address.Host.Contains('.'))
                    errors["email"] = ["'email' must be a plain e-mail address (name@example.org)."];
                if (request.Url is not null) errors["url"] = ["'url' is for webhooks; an e-mail subscription has an 'email'."];
                break;
            default:
                errors["kind"] = ["'kind' must be \"webhook\" or \"email\"."];
                break;
        }

        if (request.PledgeIds is not null && request.Filter?.PledgeIds is not null)
            errors["pledgeIds"] = ["Give pledge ids either in 'filter.pledgeIds' or in 'pledgeIds', not both."];
        var (ids, idsField) = request.Filter?.PledgeIds is { } f ? (f, "filter.pledgeIds") : (request.PledgeIds, "pledgeIds");
        if (ids is not null)
        {
            if (ids.Count > 500) errors[idsField] = [$"'{idsField}' may list at most 500 pledges."];
            for (var i = 0; i < ids.Count && i < 500; i++)
            {
                if (ids[i] is not { } id || !PledgeIdShape().IsMatch(id))
                    errors[$"{idsField}[{i}]"] = ["Each pledge id must be a lowercase slug."];
            }
        }
        if (request.Filter is { } filter)
        {
            if (filter.Country is { } country && (string.IsNullOrWhiteSpace(country) || country.Length > 100))
                errors["filter.country"] = ["'filter.country' must be a country name of at most 100 characters."];
            if (filter.Actor is { } actor && (string.IsNullOrWhiteSpace(actor) || actor.Length > 200))
                errors["filter.actor"] = ["'filter.actor' must be an actor's name of at most 200 characters."];
            if (filter.EventTypes is { } types)
            {
                for (var i = 0; i < types.Count; i++)
                {
                    if (types[i] is not { } t || !EventTypes.Contains(t))
                        errors[$"filter.eventTypes[{i}]"] = [$"Event types are {string.Join(", ", EventTypes)}."];
                }
            }
        }
        return errors;
    }

    public static SubscriptionFilter ToFilter(SubscribeRequest request) => new()
    {
        PledgeIds = (request.Filter?.PledgeIds ?? request.PledgeIds) is { Count: > 0 } ids ? ids.Select(i => i!).Distinct().ToList() : null,
        Country = request.Filter?.Country?.Trim(),
        Actor = request.Filter?.Actor?.Trim(),
        EventTypes = request.Filter?.EventTypes is { Count: > 0 } types ? types.Select(t => t!).Distinct().ToList() : null,
    };

    /// <summary>A Standard Webhooks secret: "whsec_" + base64 of 32 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static void MapSubscribe(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/subscriptions", async (
            [FromBody] SubscribeRequest? request, IDocumentSession session, UrlGuard guard, EmailOptions emailOptions,
            DeliveryDispatcher dispatcher, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = Validate(request);
            if (errors.Count == 0 && request!.Kind == SubscriptionKinds.Webhook && await guard.CheckUrlAsync(request.Url!, ct) is { } refusal)
                errors["url"] = [refusal];
            if (errors.Count == 0 && request!.Kind == SubscriptionKinds.Email && !emailOptions.Enabled)
                errors["kind"] = ["E-mail subscriptions are not available on this server."];
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The request is not valid.");

            var now = clock.GetUtcNow();
            var email = request!.Email?.Trim().ToLowerInvariant();
            if (email is not null)
            {
                // One subscribe per address at a time: a lock on the address for this transaction, held until
                // the subscription and its confirmation are committed, so that two simultaneous requests
                // cannot both pass the check below and send two confirmations.
                await session.BeginTransactionAsync(ct);
                await session.AdvancedSql.QueryAsync<long>(
                    "select count(*) from (select pg_advisory_xact_lock(hashtextextended(?, 0))) as locked", ct, "subscribe-email:" + email);
                var since = now - ConfirmationThrottle;
                var recent = await session.Query<Subscription>()
                    .Where(s => s.Email == email && s.ConfirmationSentAt != null && s.ConfirmationSentAt > since).AnyAsync(ct);
                if (recent)
                    return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "A confirmation was just sent.",
                        detail: "A confirmation mail was sent to this address less than a minute ago. Check the inbox, or try again in a minute.",
                        extensions: new Dictionary<string, object?> { ["field"] = "email" });
            }

            var manageToken = Tokens.NewManageToken();
            var subscription = new Subscription
            {
                Id = Guid.NewGuid(),
                Kind = request.Kind!,
                Url = request.Url,
                Email = email,
                Filter = ToFilter(request),
                Status = email is null ? SubscriptionStatuses.Active : SubscriptionStatuses.PendingConfirmation,
                Secret = NewSecret(),
                ManageTokenHash = Tokens.Hash(manageToken),
                CreatedAt = now,
                ConfirmationSentAt = email is null ? null : now,
            };
            session.Store(subscription);
            if (email is not null)
            {
                // The confirmation mail is a durable delivery like any alert: an SMTP outage delays it, no more.
                var eventId = Guid.NewGuid();
                session.Insert(new Delivery.Delivery
                {
                    Id = Delivery.Delivery.IdFor(eventId, subscription.Id), EventId = eventId, SubscriptionId = subscription.Id,
                    Kind = SubscriptionKinds.Email, Type = EmailSender.ConfirmationType, Payload = "{}",
                    Status = DeliveryStatuses.Pending, CreatedAt = now, NextAttemptAt = now,
                });
            }
            await session.SaveChangesAsync(ct);
            if (email is not null) dispatcher.WakeUp();
            return Results.Created($"/api/subscriptions/{subscription.Id}",
                new SubscriptionCreated(subscription.Id, subscription.Kind, subscription.Url, subscription.Email, subscription.Filter,
                    subscription.Status, manageToken, email is null ? subscription.Secret : null, subscription.CreatedAt));
        });

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex PledgeIdShape();
}
