using Microsoft.Extensions.Options;

namespace R2PTracker.Gateway.Live;

/// <summary>
/// Counts the open live streams, per client and in all, so that no client (and no crowd) can hold
/// more than Live:MaxConnectionsPerClient / Live:MaxConnections of them: each one keeps a buffer
/// and a request open for as long as it lasts.
/// </summary>
public sealed class LiveConnections(IOptions<LiveOptions> options)
{
    public enum Refusal { None, ClientFull, GatewayFull }

    private readonly object _gate = new();
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private int _total;

    public int Total { get { lock (_gate) return _total; } }

    /// <summary>A lease to dispose when the stream closes, or why there is none.</summary>
    public (IDisposable? Lease, Refusal Refusal) TryOpen(string client)
    {
        var limits = options.Value;
        lock (_gate)
        {
            var mine = _perClient.GetValueOrDefault(client);
            if (mine >= limits.MaxConnectionsPerClient) return (null, Refusal.ClientFull);
            if (_total >= limits.MaxConnections) return (null, Refusal.GatewayFull);
            _perClient[client] = mine + 1;
            _total++;
            return (new Lease(this, client), Refusal.None);
        }
    }

    private void Close(string client)
    {
        lock (_gate)
        {
            _total--;
            if (--_perClient[client] == 0) _perClient.Remove(client);
        }
    }

    private sealed class Lease(LiveConnections owner, string client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Close(client);
        }
    }
}
