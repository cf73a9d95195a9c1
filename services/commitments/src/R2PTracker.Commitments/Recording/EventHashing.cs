using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace R2PTracker.Commitments.Recording;

/// <summary>
/// The hash chain over a pledge's events. Dependency-free so that the offline verifier
/// (tools/R2PTracker.Verify) compiles this very file.
///   hash(v) = lowercase hex SHA-256( UTF-8( hash(v-1) ) ‖ UTF-8( canonical(v) ) ), hash(0) = 64 zeros
///   canonical(v) = JSON object {data, eventId, recordedAt, streamId, type, version}, keys of every
///   object sorted by ordinal order, no whitespace, strings escaped minimally (System.Text.Json
///   relaxed escaping), numbers as written, recordedAt in UTC with microseconds
///   ("2026-11-27T12:00:00.123456Z"), eventId as a lowercase 36-character GUID.
/// </summary>
public static class EventHashing
{
    public static readonly string Genesis = new('0', 64);

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static DateTimeOffset ToMicroseconds(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);

    public static string FormatRecordedAt(DateTimeOffset t) =>
        ToMicroseconds(t).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static string Canonical(string streamId, long version, Guid eventId, string type, DateTimeOffset recordedAt, string dataJson)
    {
        using var data = JsonDocument.Parse(dataJson);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("data");
            WriteCanonical(writer, data.RootElement);
            writer.WriteString("eventId", eventId.ToString("D"));
            writer.WriteString("recordedAt", FormatRecordedAt(recordedAt));
            writer.WriteString("streamId", streamId);
            writer.WriteString("type", type);
            writer.WriteNumber("version", version);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Hash(string previousHash, string canonical)
    {
        var bytes = Encoding.UTF8.GetBytes(previousHash + canonical);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteCanonical(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                writer.WriteBooleanValue(element.GetBoolean());
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>One event as exported in events.ndjson and checked by the verifier.</summary>
    public sealed record ChainLink(string StreamId, long Version, Guid EventId, string Type, DateTimeOffset RecordedAt, string DataJson, string? Hash,
        long? LogIndex = null);

    /// <summary>Walks one stream's events in version order; returns the first broken version, or null.</summary>
    public static (bool Valid, string HeadHash, long? BrokenAtVersion) Verify(IEnumerable<ChainLink> links)
    {
        var previous = Genesis;
        long expectedVersion = 1;
        foreach (var link in links)
        {
            var canonical = Canonical(link.StreamId, link.Version, link.EventId, link.Type, link.RecordedAt, link.DataJson);
            if (Next(previous, expectedVersion, link.Version, canonical, link.Hash) is not { } computed) return (false, previous, link.Version);
            previous = computed;
            expectedVersion++;
        }
        return (true, previous, null);
    }

    /// <summary>One step of the chain: the event's hash if it is the expected version and its stored hash is
    /// the one computed from the previous hash and its canonical form; null where the chain breaks.</summary>
    public static string? Next(string previousHash, long expectedVersion, long version, string canonical, string? storedHash)
    {
        var computed = Hash(previousHash, canonical);
        return version == expectedVersion && storedHash is not null
               && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(storedHash))
            ? computed
            : null;
    }
}
