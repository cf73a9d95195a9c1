using System.Text;
using System.Text.Json;
using R2PTracker.Testing;
using RabbitMQ.Client;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

public class ForwardingTests(CommitmentsApp app)
{
    [Fact]
    public async Task A_status_change_is_published_to_RabbitMQ_with_the_marten_event_id_as_message_id()
    {
        var ct = TestContext.Current.CancellationToken;
        var factory = new ConnectionFactory { Uri = new Uri(TestEnvironment.RabbitMqFor(CommitmentsApp.VirtualHost)) };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        const string exchange = "R2PTracker.Contracts:PledgeStatusChanged";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        await channel.QueueBindAsync(queue.QueueName, exchange, "", cancellationToken: ct);

        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), "\"1\""), ct)).EnsureSuccessStatusCode();
        var events = await app.Store.QuerySession().Events.FetchStreamAsync(id, token: ct);
        var statusEventId = events.Single(e => e.Version == 2).Id;

        var envelope = await TestEnvironment.Eventually(async () =>
        {
            while (await channel.BasicGetAsync(queue.QueueName, autoAck: true, ct) is { } message)
            {
                var text = Encoding.UTF8.GetString(message.Body.Span);
                if (JsonDocument.Parse(text).RootElement.GetProperty("message").GetProperty("pledgeId").GetString() == id) return text;
            }
            return (string?)null;
        }, TimeSpan.FromSeconds(30), "the PledgeStatusChanged message");

        var root = JsonDocument.Parse(envelope).RootElement;
        Guid.Parse(root.GetProperty("messageId").GetString()!).ShouldBe(statusEventId);
        var body = root.GetProperty("message");
        body.GetProperty("eventId").GetGuid().ShouldBe(statusEventId);
        body.GetProperty("status").GetString().ShouldBe("Stalled");
        body.GetProperty("previousStatus").GetString().ShouldBe("NotYetRated");
        body.GetProperty("streamVersion").GetInt64().ShouldBe(2);
        body.GetProperty("recordedBy").GetString().ShouldBe("Alice Editor");
    }

    [Fact]
    public async Task A_progress_assessment_is_published_as_PledgeProgressAssessed()
    {
        var ct = TestContext.Current.CancellationToken;
        var factory = new ConnectionFactory { Uri = new Uri(TestEnvironment.RabbitMqFor(CommitmentsApp.VirtualHost)) };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        const string exchange = "R2PTracker.Contracts:PledgeProgressAssessed";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        await channel.QueueBindAsync(queue.QueueName, exchange, "", cancellationToken: ct);

        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/progress",
            new { progress = 30, reason = "Training begun", evidence = new[] { new { title = "CICP report" } } }, "\"1\""), ct)).EnsureSuccessStatusCode();

        var envelope = await TestEnvironment.Eventually(async () =>
        {
            while (await channel.BasicGetAsync(queue.QueueName, autoAck: true, ct) is { } message)
            {
                var text = Encoding.UTF8.GetString(message.Body.Span);
                if (JsonDocument.Parse(text).RootElement.GetProperty("message").GetProperty("pledgeId").GetString() == id) return text;
            }
            return (string?)null;
        }, TimeSpan.FromSeconds(30), "the PledgeProgressAssessed message");

        var body = JsonDocument.Parse(envelope).RootElement.GetProperty("message");
        body.GetProperty("progress").GetInt32().ShouldBe(30);
        body.GetProperty("previousProgress").GetInt32().ShouldBe(0);
        body.GetProperty("streamVersion").GetInt64().ShouldBe(2);
    }
}
