using System.Net.Sockets;
using Marten.Exceptions;
using Npgsql;
using R2PTracker.ServiceDefaults;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

public class StoreUnavailableTests
{
    [Fact]
    public void A_refused_or_broken_connection_is_the_store_being_unavailable()
    {
        StoreUnavailableHandler.IsStoreUnavailable(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))).ShouldBeTrue();
        StoreUnavailableHandler.IsStoreUnavailable(new MartenCommandException(new NpgsqlCommand("select 1"),
            new NpgsqlException("Exception while reading from stream", new IOException("reset")))).ShouldBeTrue();
        StoreUnavailableHandler.IsStoreUnavailable(new InvalidOperationException("wrapped", new SocketException((int)SocketError.ConnectionReset))).ShouldBeTrue();
        // The server shutting down (57P01 admin_shutdown) or still starting (57P03 cannot_connect_now).
        StoreUnavailableHandler.IsStoreUnavailable(new PostgresException("terminating connection", "FATAL", "FATAL", "57P01")).ShouldBeTrue();
        StoreUnavailableHandler.IsStoreUnavailable(new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03")).ShouldBeTrue();
    }

    [Fact]
    public void A_failover_in_progress_is_the_store_being_unavailable()
    {
        // Npgsql's multi-host data source: every host known to be down or a standby, ...
        StoreUnavailableHandler.IsStoreUnavailable(new NpgsqlException("No suitable host was found.")).ShouldBeTrue();
        // ... each host tried and failed (the first failure not a transient one), ...
        StoreUnavailableHandler.IsStoreUnavailable(new NpgsqlException("Unable to connect to a suitable host. Check inner exception for more details.",
            new AggregateException(new TimeoutException("first"), new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))))).ShouldBeTrue();
        // ... or a write that reached a node that is a standby now.
        StoreUnavailableHandler.IsStoreUnavailable(new PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", "25006")).ShouldBeTrue();
    }

    [Fact]
    public void Other_failures_are_not()
    {
        StoreUnavailableHandler.IsStoreUnavailable(new InvalidOperationException("a bug")).ShouldBeFalse();
        StoreUnavailableHandler.IsStoreUnavailable(new NpgsqlException("syntax")).ShouldBeFalse();
        StoreUnavailableHandler.IsStoreUnavailable(new AggregateException(new InvalidOperationException("a bug"))).ShouldBeFalse();
        StoreUnavailableHandler.IsStoreUnavailable(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")).ShouldBeFalse();
        StoreUnavailableHandler.IsStoreUnavailable(null).ShouldBeFalse();
    }
}
