using System.Text;
using RabbitMQ.Client;
using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>
/// lib.sh's rabbit_quorum_migrate, which up.sh runs so that a broker from before quorum queues takes
/// the services' quorum queues: on a broker of its own with the classic queues an earlier version left.
/// </summary>
public class QuorumMigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Empty_classic_queues_are_deleted_one_holding_messages_is_kept_and_refused_and_temporary_ones_are_left_alone()
    {
        var dir = Directory.CreateTempSubdirectory("r2p-quorum-migrate-");
        var lib = $"set -e; source deploy/local/lib.sh; dir='{dir.FullName}/rabbit'; ";
        var port = (await DeployFiles.RunAsync("bash", ["-c", lib + "port=$(free_port_block 3); rabbit_start \"$dir\" \"$port\"; echo $port"], DeployFiles.Root)).Trim();
        var at = lib + $"port={port}; ";
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri($"amqp://guest:guest@127.0.0.1:{port}/") };
            await using (var connection = await factory.CreateConnectionAsync(Ct))
            await using (var channel = await connection.CreateChannelAsync(cancellationToken: Ct))
            {
                // As an earlier version declared them: classic, durable; one with a message nobody consumed.
                await channel.QueueDeclareAsync("old-empty", durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
                await channel.QueueDeclareAsync("old-empty_error", durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
                await channel.QueueDeclareAsync("old-full", durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
                await channel.BasicPublishAsync("", "old-full", Encoding.UTF8.GetBytes("a change not yet fanned out"), Ct);
                // A gateway instance's temporary queue: classic by design.
                await channel.QueueDeclareAsync("temporary", durable: false, exclusive: false, autoDelete: true, cancellationToken: Ct);
                await channel.CloseAsync(Ct);
            }

            var before = await DeployFiles.RunAsync("bash", ["-c", at + "rabbit_ctl \"$dir\" \"$port\" list_queues --no-table-headers name type durable auto_delete consumers messages"], DeployFiles.Root);
            var refusal = await Should.ThrowAsync<InvalidOperationException>(() =>
                DeployFiles.RunAsync("bash", ["-c", at + "rabbit_quorum_migrate \"$dir\" \"$port\" /"], DeployFiles.Root), before);
            refusal.Message.ShouldContain("'old-full' holds 1 messages");

            string Queues() => DeployFiles.RunAsync("bash", ["-c", at + "rabbit_ctl \"$dir\" \"$port\" list_queues --no-table-headers name messages | sort"], DeployFiles.Root).Result;
            Queues().ShouldBe("old-full\t1\ntemporary\t0\n");

            // The deleted queue can now be declared as the services declare it.
            await using (var connection = await factory.CreateConnectionAsync(Ct))
            await using (var channel = await connection.CreateChannelAsync(cancellationToken: Ct))
            {
                await channel.QueueDeclareAsync("old-empty", durable: true, exclusive: false, autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: Ct);
                await channel.CloseAsync(Ct);
            }
            // Once the old queue is emptied (here: purged), the next start goes through; the quorum queue is kept.
            await DeployFiles.RunAsync("bash", ["-c", at + "rabbit_ctl \"$dir\" \"$port\" purge_queue old-full && rabbit_quorum_migrate \"$dir\" \"$port\" /"], DeployFiles.Root);
            Queues().ShouldBe("old-empty\t0\ntemporary\t0\n");
        }
        finally
        {
            await DeployFiles.RunAsync("bash", ["-c", at + "rabbit_stop \"$dir\" \"$port\""], DeployFiles.Root);
            dir.Delete(recursive: true);
        }
    }
}
