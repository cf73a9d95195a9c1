using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace R2PTracker.Notifications.Subscriptions.Subscribing;

public record SubscribeRequest(string? Kind, string? Url, IReadOnlyList<string?>? PledgeIds);

/// <summary>The answer to a new subscription; the only time the secret is shown.</summary>
public record SubscriptionCreated(Guid Id, string Kind, string Url, IReadOnlyList<string>? PledgeIds, string Secret, DateTimeOffset CreatedAt);

public static partial class SubscribeSlice
{
    public static Dictionary<string, string[]> Validate(SubscribeRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null) return new() { ["body"] = ["A JSON body is required."] };
        if (request.Kind != "webhook")
            errors["kind"] = ["'kind' must be \"webhook\"."];
        if (string.IsNullOrWhiteSpace(request.Url))
            errors["url"] = ["'url' is required."];
        else if (request.Url.Length > 2000
                 || !Uri.TryCreate(request.Url, UriKind.Absolute, out var uri)
                 || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            errors["url"] = ["'url' must be an absolute http or https URL."];
        if (request.PledgeIds is { } ids)
        {
            if (ids.Count > 500) errors["pledgeIds"] = ["'pledgeIds' may list at most 500 pledges."];
            for (var i = 0; i < ids.Count && i < 500; i++)
            {
                if (ids[i] is not { } id || !PledgeIdShape().IsMatch(id))
                    errors[$"pledgeIds[{i}]"] = ["Each pledge id must be a lowercase slug."];
            }
        }
        return errors;
    }

    /// <summary>A Standard Webhooks secret: "whsec_" + base64 of 32 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static void MapSubscribe(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/subscriptions", async (
            [FromBody] SubscribeRequest? request, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = Validate(request);
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The request is not valid.");

            var subscription = new Subscription
            {
                Id = Guid.NewGuid(),
                Kind = request!.Kind!,
                Url = request.Url!,
                PledgeIds = request.PledgeIds is { Count: > 0 } ids ? ids.Select(i => i!).Distinct().ToList() : null,
                Secret = NewSecret(),
                CreatedAt = clock.GetUtcNow(),
            };
            session.Store(subscription);
            await session.SaveChangesAsync(ct);
            return Results.Created($"/api/subscriptions/{subscription.Id}",
                new SubscriptionCreated(subscription.Id, subscription.Kind, subscription.Url, subscription.PledgeIds,
                    subscription.Secret, subscription.CreatedAt));
        });

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex PledgeIdShape();
}
