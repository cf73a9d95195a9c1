using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using R2PTracker.Commitments.Tests.Integration;
using R2PTracker.Testing;
using RabbitMQ.Client;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace R2PTracker.Commitments.Tests.Forwarding;

/// <summary>
/// The forwarder's progression row moved by another writer, as the killed instance's last write can move it
/// after a failover (Fault_1b once saw it): Marten stops the shard on its next page. A host of its own, on a
/// database of its own, so the stop cannot hold up the other tests' forwarding.
/// </summary>
public class ProgressionConflictTests(CommitmentsApp app)
{
    private const string Shard = "integration-event-forwarder:All";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_its_progression_is_moved_behind_its_back_the_forwarder_runs_again_and_forwards_later_changes()
    {
        var database = await TestEnvironment.CreateDatabaseAsync("conflict");
        var warnings = new Warnings();
        await using var host = app.Factory.WithWebHostBuilder(b => b
            .ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database }))
            .ConfigureLogging(l => l.AddProvider(warnings)));
        _ = host.Server;
        var staff = CommitmentsApp.StaffOf(host);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var daemon = host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        var states = new ConcurrentQueue<ShardState>();
        using var watching = daemon.Tracker.Subscribe(new Recorder(states));
        await using var messages = await StatusChangesAsync();

        var id = await RegisterAsync(staff);
        var first = await ChangeStatusAsync(staff, store, id, "Stalled", 1);
        await messages.ReceivedAsync(first.Id);
        await using var db = NpgsqlDataSource.Create(database);
        await TestEnvironment.Eventually(async () => await ProgressionAsync(db) >= first.Sequence ? "" : null,
            TimeSpan.FromSeconds(30), "the forwarder's progression to pass the first change");

        // Another writer moves the row: the daemon's next update (where last_seq_id = what it read) matches nothing.
        await using (var move = db.CreateCommand($"update {Configuration.Schema}.mt_event_progression set last_seq_id = last_seq_id - 1 where name = $1"))
        {
            move.Parameters.AddWithValue(Shard);
            (await move.ExecuteNonQueryAsync(Ct)).ShouldBe(1);
        }
        await ChangeStatusAsync(staff, store, id, "InTheWorks", 2);
        await TestEnvironment.Eventually(() => Task.FromResult(states.Any(s => s.ShardName == Shard && s.Action == ShardAction.Stopped
                && s.Failure?.Category == ShardFailureCategory.ProgressionOutOfOrder) ? "" : null),
            TimeSpan.FromSeconds(30), "Marten to stop the forwarder on the progression conflict");

        // Written after the stop: only a forwarder that runs again can publish it.
        var third = await ChangeStatusAsync(staff, store, id, "Stalled", 3);
        await messages.ReceivedAsync(third.Id);
        daemon.StatusFor(Shard).ShouldBe(AgentStatus.Running);
        // The tracker tells its observers on a thread of its own.
        var recovery = await TestEnvironment.Eventually(() => Task.FromResult(
            warnings.Of<R2PTracker.Commitments.Forwarding.StoppedShardRecovery>() is { Count: 2 } logged ? logged : null),
            TimeSpan.FromSeconds(10), "the recovery's two warnings");
        recovery[0].ShouldContain($"{Shard} stopped");
        recovery[1].ShouldContain($"{Shard} runs again");
    }

    private static async Task<long> ProgressionAsync(NpgsqlDataSource db)
    {
        await using var read = db.CreateCommand($"select last_seq_id from {Configuration.Schema}.mt_event_progression where name = $1");
        read.Parameters.AddWithValue(Shard);
        return await read.ExecuteScalarAsync(Ct) is long sequence ? sequence : 0;
    }

    private static async Task<JasperFx.Events.IEvent> ChangeStatusAsync(HttpClient staff, IDocumentStore store, string id, string status, long version)
    {
        (await staff.SendAsync(Post($"/api/pledges/{id}/status", StatusChange(status), $"\"{version}\""), Ct)).EnsureSuccessStatusCode();
        await using var session = store.QuerySession();
        return (await session.Events.FetchStreamAsync(id, token: Ct)).Single(e => e.Version == version + 1);
    }

    private static async Task<StatusChanges> StatusChangesAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(TestEnvironment.RabbitMqFor(CommitmentsApp.VirtualHost)) };
        var connection = await factory.CreateConnectionAsync(Ct);
        var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        const string exchange = "R2PTracker.Contracts:PledgeStatusChanged";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: Ct);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: Ct);
        await channel.QueueBindAsync(queue.QueueName, exchange, "", cancellationToken: Ct);
        return new StatusChanges(connection, channel, queue.QueueName);
    }

    /// <summary>The PledgeStatusChanged messages of every test, read by message id.</summary>
    private sealed class StatusChanges(IConnection connection, IChannel channel, string queue) : IAsyncDisposable
    {
        private readonly HashSet<Guid> _seen = [];

        public Task ReceivedAsync(Guid eventId) => TestEnvironment.Eventually(async () =>
        {
            while (await channel.BasicGetAsync(queue, autoAck: true, Ct) is { } message)
                _seen.Add(Guid.Parse(JsonDocument.Parse(Encoding.UTF8.GetString(message.Body.Span)).RootElement.GetProperty("messageId").GetString()!));
            return _seen.Contains(eventId) ? "" : null;
        }, TimeSpan.FromSeconds(30), $"the PledgeStatusChanged message of event {eventId}");

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>The Warning messages the host logs, by category.</summary>
    private sealed class Warnings : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Category, string Message)> _logged = new();

        public IReadOnlyList<string> Of<T>() => _logged.Where(l => l.Category == typeof(T).FullName).Select(l => l.Message).ToList();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        private sealed class Logger(Warnings warnings, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) warnings._logged.Enqueue((category, formatter(state, exception)));
            }
        }
    }

    private sealed class Recorder(ConcurrentQueue<ShardState> states) : IObserver<ShardState>
    {
        public void OnNext(ShardState value) => states.Enqueue(value);
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }
}
