using Marten;
using Microsoft.Extensions.Configuration;
using Npgsql;
using R2PTracker.Commitments.Pledges.AsOf;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

public class StreamEventCacheTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private StreamEventCache NewCache(long limit) => new(NpgsqlDataSource.Create(app.ConnectionString), app.Store,
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AsOf:CachedEventsLimit"] = limit.ToString() }).Build());

    private async Task AssertSameAsStoredAsync(StreamEventCache cache, string id)
    {
        await using var session = app.Store.QuerySession();
        var stored = await session.Events.FetchStreamAsync(id, token: Ct);
        var cached = (await cache.StreamAsync(id, Ct))!;
        // Event records hold lists, which records compare by reference: compare their JSON.
        var json = app.Store.Options.Serializer();
        cached.Select(e => (e.Version, e.RecordedAt, json.ToJson(e.Data)))
            .ShouldBe(stored.Select(e => (e.Version, e.Timestamp, json.ToJson(e.Data))));
    }

    [Theory]
    [InlineData(500_000L)]
    [InlineData(0L)] // emptied before every read
    public async Task Cached_streams_are_the_stored_events_before_and_after_a_write(long limit)
    {
        var staff = app.Staff();
        var id = await RegisterAsync(staff);
        var cache = NewCache(limit);
        await AssertSameAsStoredAsync(cache, id);

        (await staff.SendAsync(Post($"/api/pledges/{id}/status", StatusChange(), "\"1\""), Ct)).EnsureSuccessStatusCode();
        await AssertSameAsStoredAsync(cache, id);
        (await cache.StreamsAsync(null, Ct)).Single(s => s.Id == id).Events.Length.ShouldBe(2);
    }

    [Fact]
    public async Task Reads_at_the_same_time_as_the_cache_is_emptied_still_get_every_stream()
    {
        await RegisterAsync(app.Staff());
        var cache = NewCache(0); // emptied by every read
        await using var session = app.Store.QuerySession();
        var streams = (await session.AdvancedSql.QueryAsync<long>("select count(*) from commitments.mt_streams", Ct)).Single();

        var reads = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => cache.StreamsAsync(null, Ct)));

        reads.ShouldAllBe(r => r.Count >= streams);
    }

    [Fact]
    public async Task An_unknown_stream_is_null()
    {
        (await NewCache(100).StreamAsync("no-such-pledge", Ct)).ShouldBeNull();
    }
}
