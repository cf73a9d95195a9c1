using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Mvc;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Hosting;
using R2PTracker.Notifications.Security;
using R2PTracker.Notifications.Webhooks;

namespace R2PTracker.Notifications.Subscriptions.Subscribing;

public record FilterRequest(IReadOnlyList<string?>? PledgeIds, string? Country, string? Actor, IReadOnlyList<string?>? EventTypes);

/// <summary>
/// A new subscription. <c>pledgeIds</c> at the top level is the walking skeleton's shape and is
/// still accepted; it means the same as <c>filter.pledgeIds</c>. <c>language</c> ("en" or "km",
/// English when left out) is the language of an e-mail subscriber's mails; webhooks carry
/// language-neutral data with the titles in every language, so they take none.
/// </summary>
public record SubscribeRequest(
    string? Kind, string? Url, string? Email = null, FilterRequest? Filter = null, IReadOnlyList<string?>? PledgeIds = null,
    string? Language = null);

/// <summary>The answer to a new subscription: the only time the manage token and the secret are shown.</summary>
public record SubscriptionCreated(
    Guid Id, string Kind, string? Url, string? Email, SubscriptionFilter Filter, string Status,
    string ManageToken, string? Secret, DateTimeOffset CreatedAt, string? Language);

public static partial class SubscribeSlice
{
    public static readonly string[] EventTypes = ["pledge.registered", "pledge.status_changed", "pledge.milestone_logged", "proposal.opened", "submission.received"];

    /// <summary>
    /// Types a subscription gets only when its filter lists them, never as part of "every event": a verdict proposed
    /// for review (proposal.opened) is for the review desk's staff; readers are alerted of the verdict once approved; a submission awaiting moderation (submission.received) is for the moderators.
    /// </summary>
    public static readonly string[] OptInEventTypes = ["proposal.opened", "submission.received"];
    public const int MaxPledgeIds = 500;
    public const int MaxEventTypes = 10;

    /// <summary>Checks the shape of the request (the URL's addresses are checked by <see cref="UrlGuard"/>).</summary>
    public static BoundedErrors Validate(SubscribeRequest? request)
    {
        var errors = new BoundedErrors();
        if (request is null)
        {
            errors.Add("body", "A JSON body is required.");
            return errors;
        }
        switch (request.Kind)
        {
            case SubscriptionKinds.Webhook:
                if (string.IsNullOrWhiteSpace(request.Url)) errors.Add("url", "'url' is required for a webhook.");
                else if (request.Url.Length > 2000
                         || !Uri.TryCreate(request.Url, UriKind.Absolute, out var uri)
                         || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    errors.Add("url", "'url' must be an absolute http or https URL.");
                if (request.Email is not null) errors.Add("email", "'email' is for e-mail subscriptions; a webhook has a 'url'.");
                if (request.Language is not null)
                    errors.Add("language", "'language' is for e-mail subscriptions; a webhook's payload carries the titles in every language.");
                break;
            case SubscriptionKinds.Email:
                if (string.IsNullOrWhiteSpace(request.Email)) errors.Add("email", "'email' is required for an e-mail subscription.");
                else if (request.Email.Length > 254 || !MailAddress.TryCreate(request.Email, out var address)
                         || address.Address != request.Email.Trim() || !address.Host.Contains('.') || address.Host.StartsWith('['))
                    errors.Add("email", "'email' must be a plain e-mail address (name@example.org).");
                if (request.Url is not null) errors.Add("url", "'url' is for webhooks; an e-mail subscription has an 'email'.");
                if (request.Language is not null && !SubscriptionLanguages.IsLanguage(request.Language))
                    errors.Add("language", "'language' must be \"en\" (English) or \"km\" (Khmer).");
                break;
            default:
                errors.Add("kind", "'kind' must be \"webhook\" or \"email\".");
                break;
        }

        if (request.PledgeIds is not null && request.Filter?.PledgeIds is not null)
            errors.Add("pledgeIds", "Give pledge ids either in 'filter.pledgeIds' or in 'pledgeIds', not both.");
        var (ids, idsField) = request.Filter?.PledgeIds is { } f ? (f, "filter.pledgeIds") : (request.PledgeIds, "pledgeIds");
        if (ids is not null)
        {
            if (ids.Count > MaxPledgeIds) errors.Add(idsField, $"'{idsField}' may list at most {MaxPledgeIds} pledges.");
            for (var i = 0; i < ids.Count && i < MaxPledgeIds; i++)
            {
                if (ids[i] is not { } id || !PledgeIdShape().IsMatch(id))
                    errors.Add($"{idsField}[{i}]", "Each pledge id must be a lowercase slug.");
            }
        }
        if (request.Filter is { } filter)
        {
            if (filter.Country is { } country && Countries.Normalise(country) is null)
                errors.Add("filter.country", "'filter.country' must be an ISO 3166-1 alpha-2 country code, such as KH.");
            if (filter.Actor is { } actor && (string.IsNullOrWhiteSpace(actor) || actor.Length > 200))
                errors.Add("filter.actor", "'filter.actor' must be an actor's name of at most 200 characters.");
            if (filter.EventTypes is { } types)
            {
                if (types.Count > MaxEventTypes) errors.Add("filter.eventTypes", $"'filter.eventTypes' may list at most {MaxEventTypes} event types.");
                for (var i = 0; i < types.Count && i < MaxEventTypes; i++)
                {
                    if (types[i] is not { } t || !EventTypes.Contains(t))
                        errors.Add($"filter.eventTypes[{i}]", $"Event types are {string.Join(", ", EventTypes)}.");
                }
            }
        }
        return errors;
    }

    public static SubscriptionFilter ToFilter(SubscribeRequest request) => new()
    {
        PledgeIds = (request.Filter?.PledgeIds ?? request.PledgeIds) is { Count: > 0 } ids ? ids.Select(i => i!).Distinct().ToList() : null,
        Country = request.Filter?.Country is { } country ? Countries.Normalise(country) : null,
        Actor = request.Filter?.Actor?.Trim(),
        EventTypes = request.Filter?.EventTypes is { Count: > 0 } types ? types.Select(t => t!).Distinct().ToList() : null,
    };

    /// <summary>A Standard Webhooks secret: "whsec_" + base64 of 32 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static void MapSubscribe(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/subscriptions", async (
            [FromBody] SubscribeRequest? request, HttpContext http, IDocumentSession session, UrlGuard guard, WebhookVerifier verifier,
            ClientAddress clients, EmailOptions emailOptions, WebhookOptions webhookOptions, DeliveryDispatcher dispatcher,
            TimeProvider clock, CancellationToken ct) =>
        {
            var errors = Validate(request);
            if (errors.Count == 0 && request!.Kind == SubscriptionKinds.Webhook && await guard.CheckUrlAsync(request.Url!, ct) is { } refusal)
                errors.Add("url", refusal);
            if (errors.Count == 0 && request!.Kind == SubscriptionKinds.Email && !emailOptions.Enabled)
                errors.Add("kind", "E-mail subscriptions are not available on this server.");
            if (errors.Count > 0) return errors.ToProblem();

            var secret = NewSecret();
            return request!.Kind == SubscriptionKinds.Webhook
                ? await SubscribeWebhookAsync(request, secret, clients.Of(http))
                : await SubscribeEmailAsync(request, secret);

            async Task<IResult> SubscribeWebhookAsync(SubscribeRequest r, string newSecret, string client)
            {
                var host = new Uri(r.Url!).IdnHost.ToLowerInvariant();
                var clientKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(client)));
                // Checked before the verification (no request is sent for a subscription that would be
                // refused anyway) and again, under locks, before it is stored.
                if (await CapReachedAsync(session, host, clientKey, webhookOptions, ct) is { } early) return early;
                if (await verifier.VerifyAsync(r.Url!, newSecret, ct) is { } unverified)
                {
                    var failed = new BoundedErrors();
                    failed.Add("url", unverified);
                    return failed.ToProblem("The webhook URL was not verified.");
                }
                await session.BeginTransactionAsync(ct);
                await LockAsync(session, "subscribe-webhook-host:" + host, ct);
                await LockAsync(session, "subscribe-webhook-client:" + clientKey, ct);
                if (await CapReachedAsync(session, host, clientKey, webhookOptions, ct) is { } late) return late;
                return await CreateAsync(r, newSecret, email: null, host, clientKey);
            }

            async Task<IResult> SubscribeEmailAsync(SubscribeRequest r, string newSecret)
            {
                var email = r.Email!.Trim().ToLowerInvariant();
                var mailbox = Mailbox.HashedKey(email);
                // One subscribe per mailbox at a time: a lock for this transaction, held until the
                // subscription, its confirmation and the ledger are committed, so that two simultaneous
                // requests cannot both pass the check below and send two confirmations.
                await session.BeginTransactionAsync(ct);
                await LockAsync(session, "subscribe-email:" + mailbox, ct);
                var now = clock.GetUtcNow();
                var ledger = await session.LoadAsync<ConfirmationLedger>(mailbox, ct) ?? new ConfirmationLedger { Id = mailbox };
                if (ledger.Refusal(now, emailOptions) is var (reason, notBefore))
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, (notBefore - now).TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "No more confirmation mails to this address for now.",
                        detail: reason, extensions: new Dictionary<string, object?> { ["field"] = "email" });
                }
                session.Store(ledger.Sent(now));
                return await CreateAsync(r, newSecret, email, host: null, clientKey: null);
            }

            async Task<IResult> CreateAsync(SubscribeRequest r, string newSecret, string? email, string? host, string? clientKey)
            {
                var now = clock.GetUtcNow();
                var manageToken = Tokens.NewManageToken();
                var subscription = new Subscription
                {
                    Id = Guid.NewGuid(),
                    Kind = r.Kind!,
                    Url = r.Url,
                    Email = email,
                    Filter = ToFilter(r),
                    Language = SubscriptionLanguages.Normalise(r.Language) ?? SubscriptionLanguages.Default,
                    Status = email is null ? SubscriptionStatuses.Active : SubscriptionStatuses.PendingConfirmation,
                    Host = host,
                    ClientKey = clientKey,
                    Secret = newSecret,
                    ManageTokenHash = Tokens.Hash(manageToken),
                    CreatedAt = now,
                    ConfirmationSentAt = email is null ? null : now,
                };
                session.Store(subscription);
                if (email is not null)
                {
                    // The confirmation mail is a durable delivery like any alert: an SMTP outage delays it, no more.
                    // It names the pledges followed as they are titled now.
                    var eventId = Guid.NewGuid();
                    var payload = await ConfirmationPayload.ForAsync(session, subscription.Filter, ct);
                    session.Insert(new Delivery.Delivery
                    {
                        Id = Delivery.Delivery.IdFor(eventId, subscription.Id), EventId = eventId, SubscriptionId = subscription.Id,
                        Kind = SubscriptionKinds.Email, Type = EmailSender.ConfirmationType, Payload = payload,
                        Status = DeliveryStatuses.Pending, CreatedAt = now, NextAttemptAt = now,
                        TraceParent = ServiceDefaults.Telemetry.CurrentTraceParent(Telemetry.NotificationsTelemetry.Source),
                    });
                }
                await session.SaveChangesAsync(ct);
                if (email is not null) dispatcher.WakeUp();
                return Results.Created($"/api/subscriptions/{subscription.Id}",
                    new SubscriptionCreated(subscription.Id, subscription.Kind, subscription.Url, subscription.Email, subscription.Filter,
                        subscription.Status, manageToken, email is null ? subscription.Secret : null, subscription.CreatedAt,
                        email is null ? null : subscription.Language));
            }
        })
        .WithTags("Subscriptions").WithSummary("Subscribe a webhook (verified first) or an e-mail address (double opt-in) to pledge changes.")
        .Produces<SubscriptionCreated>(StatusCodes.Status201Created).ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static async Task<IResult?> CapReachedAsync(IDocumentSession session, string host, string clientKey, WebhookOptions options, CancellationToken ct)
    {
        var forHost = await session.Query<Subscription>()
            .CountAsync(s => s.Kind == SubscriptionKinds.Webhook && s.Status == SubscriptionStatuses.Active && s.Host == host, ct);
        if (forHost >= options.MaxPerHost)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhook subscriptions for this host.",
                detail: $"A host may receive at most {options.MaxPerHost} webhook subscriptions; delete some, or combine them with filters.",
                extensions: new Dictionary<string, object?> { ["field"] = "url" });
        var forClient = await session.Query<Subscription>()
            .CountAsync(s => s.Kind == SubscriptionKinds.Webhook && s.Status == SubscriptionStatuses.Active && s.ClientKey == clientKey, ct);
        if (forClient >= options.MaxPerClient)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhook subscriptions from this client.",
                detail: $"One client may hold at most {options.MaxPerClient} webhook subscriptions; delete some, or combine them with filters.");
        return null;
    }

    private static Task LockAsync(IDocumentSession session, string key, CancellationToken ct) =>
        session.AdvancedSql.QueryAsync<long>("select count(*) from (select pg_advisory_xact_lock(hashtextextended(?, 0))) as locked", ct, key);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex PledgeIdShape();
}
