using System.Collections.Concurrent;
using Marten;
using Marten.Services;

namespace R2PTracker.Commitments.Recording;

/// <summary>
/// The last committed version and chain hash of each stream this process appended to, so the next
/// append to it need not read the previous hash back from PostgreSQL. Filled only after a commit;
/// used only when the version a write expects is the one remembered. The append itself still
/// asserts that version, so an append made meanwhile by another instance makes this one fail
/// (412), never fork the chain. One per document store (see Configuration.ConfigurePledges).
/// </summary>
public sealed class StreamHeads : DocumentSessionListenerBase
{
    /// <summary>Past this many streams the memory is emptied and fills again as writes come.</summary>
    public const int Limit = 100_000;

    private readonly ConcurrentDictionary<string, (long Version, string Hash)> _heads = new();

    public static StreamHeads? Of(IDocumentStore store) =>
        (store.Options as StoreOptions)?.Listeners.OfType<StreamHeads>().FirstOrDefault();

    public string? HashAt(string streamId, long version) =>
        _heads.TryGetValue(streamId, out var head) && head.Version == version ? head.Hash : null;

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var stream in commit.GetStreams())
        {
            if (stream.Key is not { } streamId || stream.Events.Count == 0) continue;
            var last = stream.Events[^1];
            if (last.Version <= 0 || last.GetHeader(EventChain.HashHeader) is not string hash) continue;
            if (_heads.Count >= Limit) _heads.Clear();
            _heads.AddOrUpdate(streamId, (last.Version, hash),
                (_, known) => last.Version > known.Version ? (last.Version, hash) : known);
        }
        return Task.CompletedTask;
    }
}
