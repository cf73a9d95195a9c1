using System.Globalization;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Primitives;
using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Http;

public static class Problems
{
    public static IResult Validation(Validation v) =>
        Results.ValidationProblem(v.Errors, title: "The request is not valid.");

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

    public static IResult StoreUnavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "5";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The store is unavailable.",
            detail: "The database could not be reached or is restarting; nothing was written. Try again in a few seconds.");
    }

    /// <summary>
    /// Whether an exception (or one it wraps) says that PostgreSQL could not be reached or went away
    /// mid-request: Npgsql's transient errors, a connection refused or reset, or the server's own
    /// "shutting down" / "starting up" / connection-failure codes (classes 08 and 57P). A transaction
    /// that failed so was rolled back, so nothing of the request was written.
    /// </summary>
    public static bool IsStoreUnavailable(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 10; e = e.InnerException, depth++)
        {
            if (e is Npgsql.PostgresException pg)
            {
                if (pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)) return true;
                continue;
            }
            if (e is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException) return true;
        }
        return false;
    }

    public static bool IsStreamCollision(Exception e) =>
        e is ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
        || e.InnerException is ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
        || (e is MartenCommandException && e.ToString().Contains("duplicate key", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Turns a broken domain rule into 400, a lost optimistic-concurrency race into 412, and a database
/// that cannot be reached into 503 (with Retry-After) instead of a generic 500.</summary>
public sealed class DomainExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        IResult? result = exception switch
        {
            PledgeRuleViolation v => Problems.Validation(v.Field, v.Message),
            MilestoneNotFound m => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Milestone not found.", detail: m.Message),
            ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException => Problems.PreconditionFailed(null),
            _ when Problems.IsStoreUnavailable(exception) => Problems.StoreUnavailable(http),
            _ => null,
        };
        if (result is null) return false;
        await result.ExecuteAsync(http);
        _ = problems;
        return true;
    }
}
