using System.Text;
using System.Text.Json;
using R2PTracker.Commitments.Recording;
using R2PTracker.Verify.Export;

namespace R2PTracker.TransparencyLog.Tests.Verify;

/// <summary>An events.ndjson export as the tracker writes it: chained streams, log indices, and the signed checkpoint last.</summary>
internal sealed class GeneratedExport
{
    public sealed class Event
    {
        public required string StreamId { get; init; }
        public required long Version { get; init; }
        public required Guid EventId { get; init; }
        public required string Type { get; init; }
        public required DateTimeOffset RecordedAt { get; init; }
        public required string Data { get; set; }
        public required string Hash { get; set; }
        public long? LogIndex { get; set; }

        public EventHashing.ChainLink Link => new(StreamId, Version, EventId, Type, RecordedAt, Data, Hash);
    }

    public GeneratedExport(NoteSigner logKey, int streams = 3, int eventsPerStream = 4, int unlogged = 2)
    {
        LogKey = logKey;
        var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        var all = new List<Event>();
        for (var s = 0; s < streams; s++)
        {
            var previous = EventHashing.Genesis;
            for (var v = 1; v <= eventsPerStream; v++)
            {
                var e = new Event
                {
                    StreamId = $"pledge-{s}",
                    Version = v,
                    EventId = Guid.NewGuid(),
                    Type = v == 1 ? "PledgeRegistered" : "MilestoneLogged",
                    RecordedAt = start.AddMinutes(v * 10 + s).AddTicks(1234567),
                    Data = $$"""{"title":"Pledge {{s}} step {{v}}","amount":{{v * 100}},"tags":["a","b"]}""",
                    Hash = "",
                };
                previous = e.Hash = EventHashing.Hash(previous, Canonical(e));
                all.Add(e);
            }
        }
        // The log takes events in the order they were recorded, across streams.
        Events = all.OrderBy(e => e.RecordedAt).ToList();
        for (var i = 0; i < Events.Count - unlogged; i++) Events[i].LogIndex = i;
        CheckpointNote = Sign(Events.Count - unlogged);
    }

    public NoteSigner LogKey { get; }
    public List<Event> Events { get; }
    public string CheckpointNote { get; set; }

    /// <summary>The log's signed checkpoint over the first <paramref name="size"/> logged events.</summary>
    public string Sign(long size, NoteSigner? key = null)
    {
        var leaves = Events.Where(e => e.LogIndex < size).OrderBy(e => e.LogIndex).Select(e => Merkle.LeafHash(ExportVerifier.Leaf(e.Link))).ToList();
        return (key ?? LogKey).Sign(new Checkpoint(LogKey.Name, size, Merkle.RootOf(leaves)).Format());
    }

    public static string Canonical(Event e) => EventHashing.Canonical(e.StreamId, e.Version, e.EventId, e.Type, e.RecordedAt, e.Data);

    /// <summary>Recomputes one stream's chain, as someone who rewrote the database consistently would.</summary>
    public void Rechain(string streamId)
    {
        var previous = EventHashing.Genesis;
        foreach (var e in Events.Where(e => e.StreamId == streamId).OrderBy(e => e.Version))
            previous = e.Hash = EventHashing.Hash(previous, Canonical(e));
    }

    public string Text(bool withCheckpoint = true)
    {
        var text = new StringBuilder();
        foreach (var e in Events) text.Append(Line(e)).Append('\n');
        if (withCheckpoint) text.Append(JsonSerializer.Serialize(new { checkpoint = CheckpointNote })).Append('\n');
        return text.ToString();
    }

    private static string Line(Event e)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("streamId", e.StreamId);
            w.WriteNumber("version", e.Version);
            w.WriteString("eventId", e.EventId);
            w.WriteString("type", e.Type);
            w.WriteString("recordedAt", EventHashing.FormatRecordedAt(e.RecordedAt));
            w.WritePropertyName("data");
            w.WriteRawValue(e.Data);
            w.WriteString("hash", e.Hash);
            if (e.LogIndex is { } index) w.WriteNumber("logIndex", index);
            else w.WriteNull("logIndex");
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
