using System.Globalization;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Primitives;
using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Http;

public static class Problems
{
    /// <summary>400 with the listed errors, and how many there were in all (errorCount; errorsNotListed, as notifications says it, when some are not).</summary>
    public static IResult Validation(Validation v)
    {
        var extensions = new Dictionary<string, object?> { ["errorCount"] = v.Count };
        if (v.NotListed > 0) extensions["errorsNotListed"] = v.NotListed;
        return Results.ValidationProblem(v.Errors, title: "The request is not valid.",
            detail: v.NotListed > 0 ? $"{v.Count} errors; the first {v.Count - v.NotListed} are listed, {v.NotListed} more are not." : null,
            extensions: extensions);
    }

    public static IResult Validation(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");

    public static IResult NotFound(string pledgeId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pledge not found.",
            detail: $"No pledge has the id '{pledgeId}'.");

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict.", detail: detail);

    public static IResult PreconditionRequired() =>
        Results.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match is required.",
            detail: "Send the pledge's current ETag in If-Match so that changes made by others are not overwritten.");

    public static IResult PreconditionFailed(long? current) =>
        Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The pledge has changed.",
            detail: current is null
                ? "The pledge was changed by someone else; reload it and try again."
                : $"The pledge was changed by someone else (it is now at version {current}); reload it and try again.");

    public static string ETag(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Reads a stream version from If-Match: "3", W/"3" or 3.</summary>
    public static bool TryParseIfMatch(StringValues header, out long version)
    {
        version = 0;
        var text = header.ToString().Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
        text = text.Trim('"');
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
    }

    public static bool IsStreamCollision(Exception e) =>
        e is ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
        || e.InnerException is ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
        || (e is MartenCommandException && e.ToString().Contains("duplicate key", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Turns a broken domain rule into 400 and a lost optimistic-concurrency race into 412 (a database that
/// cannot be reached is a 503: ServiceDefaults' StoreUnavailableHandler).</summary>
public sealed class DomainExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        IResult? result = exception switch
        {
            PledgeRuleViolation v => Problems.Validation(v.Field, v.Message),
            Pledges.ReviewingVerdicts.ReviewRefused r => r.ToResult(),
            MilestoneNotFound m => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Milestone not found.", detail: m.Message),
            ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException => Problems.PreconditionFailed(null),
            Recording.ChainHeadMissing c => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The pledge's record is damaged.", detail: c.Message),
            _ => null,
        };
        if (result is null) return false;
        await result.ExecuteAsync(http);
        _ = problems;
        return true;
    }
}
