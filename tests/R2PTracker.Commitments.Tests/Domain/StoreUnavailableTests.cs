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
    public void Other_failures_are_not()
    {
        StoreUnavailableHandler.IsStoreUnavailable(new InvalidOperationException("a bug")).ShouldBeFalse();
        StoreUnavailableHandler.IsStoreUnavailable(new NpgsqlException("syntax")).ShouldBeFalse();
        StoreUnavailableHandler.IsStoreUnavailable(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")).ShouldBeFalse();
        StoreUnavailableHandler.IsStoreUnavailable(null).ShouldBeFalse();
    }
}
