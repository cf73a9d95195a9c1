using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace R2PTracker.ServiceDefaults;

/// <summary>
/// A database that cannot be reached, or that is restarting, answers a 503 problem with Retry-After in
/// every service, instead of the generic 500 of an unhandled exception: a failed transaction was rolled
/// back, so nothing of the request was written, and the client may simply try again.
/// </summary>
public sealed class StoreUnavailableHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!IsStoreUnavailable(exception)) return false;
        http.Response.Headers.RetryAfter = "5";
        await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The store is unavailable.",
            detail: "The database could not be reached or is restarting; nothing was written. Try again in a few seconds.").ExecuteAsync(http);
        return true;
    }

    /// <summary>
    /// Whether an exception (or one it wraps) says that PostgreSQL could not be reached or went away
    /// mid-request: Npgsql's transient errors, a connection refused or reset, or the server's own
    /// "shutting down" / "starting up" / connection-failure codes (classes 08 and 57P). With a
    /// multi-host connection string (a primary and its standbys, Target Session Attributes=read-write)
    /// also the moments of a failover: no listed host accepts writes yet (Npgsql's "No suitable host
    /// was found", or its AggregateException of each host's failure), or a write reached a node that
    /// is a standby now (25006, read-only transaction: nothing was written).
    /// </summary>
    public static bool IsStoreUnavailable(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 10; e = e.InnerException, depth++)
        {
            if (e is Npgsql.PostgresException pg)
            {
                if (pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                    || pg.SqlState == Npgsql.PostgresErrorCodes.ReadOnlySqlTransaction) return true;
                continue;
            }
            if (e is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException) return true;
            if (IsNoSuitableHost(e)) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStoreUnavailable)) return true;
        }
        return false;
    }

    // Npgsql's multi-host data source throws exactly this (an NpgsqlException, no inner exception) when
    // every host is known, from its last check, to be down or not to match the target session attributes.
    private static bool IsNoSuitableHost(Exception e) =>
        e.GetType() == typeof(Npgsql.NpgsqlException) && e.InnerException is null
        && e.Message.Equals("No suitable host was found.", StringComparison.Ordinal);
}
