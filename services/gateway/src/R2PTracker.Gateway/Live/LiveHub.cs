using System.Threading.Channels;

namespace R2PTracker.Gateway.Live;

public sealed record LiveEvent(long Id, string Type, string PledgeId, long Version, string? Status, DateTimeOffset RecordedAt);

/// <summary>
/// Fans pledge changes out to connected dashboards (Server-Sent Events). Keeps the last
/// <see cref="Capacity"/> events so a client that reconnects with Last-Event-ID misses nothing
/// that happened while it was away. Ids are per gateway process.
/// </summary>
public sealed class LiveHub
{
    public const int Capacity = 1000;
    private readonly object _gate = new();
    private readonly LinkedList<LiveEvent> _recent = new();
    private readonly List<Channel<LiveEvent>> _listeners = [];
    private long _nextId;

    public LiveEvent Publish(string type, string pledgeId, long version, string? status, DateTimeOffset recordedAt)
    {
        lock (_gate)
        {
            var e = new LiveEvent(++_nextId, type, pledgeId, version, status, recordedAt);
            _recent.AddLast(e);
            if (_recent.Count > Capacity) _recent.RemoveFirst();
            foreach (var listener in _listeners) listener.Writer.TryWrite(e);
            return e;
        }
    }

    /// <summary>Subscribes, returning the missed events after <paramref name="lastEventId"/> first.</summary>
    public (IReadOnlyList<LiveEvent> Missed, ChannelReader<LiveEvent> Reader, IDisposable Subscription) Subscribe(long? lastEventId)
    {
        var channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            var missed = lastEventId is { } after ? _recent.Where(e => e.Id > after).ToList() : [];
            _listeners.Add(channel);
            return (missed, channel.Reader, new Unsubscriber(this, channel));
        }
    }

    private sealed class Unsubscriber(LiveHub hub, Channel<LiveEvent> channel) : IDisposable
    {
        public void Dispose()
        {
            lock (hub._gate) hub._listeners.Remove(channel);
            channel.Writer.TryComplete();
        }
    }
}
