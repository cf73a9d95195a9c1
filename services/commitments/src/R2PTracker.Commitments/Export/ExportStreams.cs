using System.Collections.Concurrent;
using System.Security.Cryptography;
using Npgsql;

namespace R2PTracker.Commitments.Export;

/// <summary>
/// Collects a streamed export in a small buffer and sends it on in chunks, so writers that only
/// write synchronously (CsvHelper, Utf8JsonWriter over a stream) never block on the response and
/// the process holds one chunk, not the export.
/// </summary>
public sealed class ChunkedOutput(Stream output) : IAsyncDisposable
{
    public const int ChunkBytes = 64 * 1024;

    public MemoryStream Buffer { get; } = new(ChunkBytes * 2);

    public ValueTask MaybeSendAsync(CancellationToken ct) => Buffer.Length >= ChunkBytes ? SendAsync(ct) : ValueTask.CompletedTask;

    public async ValueTask SendAsync(CancellationToken ct)
    {
        if (Buffer.Length == 0) return;
        await output.WriteAsync(Buffer.GetBuffer().AsMemory(0, (int)Buffer.Length), ct);
        Buffer.SetLength(0);
    }

    public ValueTask DisposeAsync() => Buffer.DisposeAsync();
}

/// <summary>A write-only stream that keeps nothing but the SHA-256 and the length of what passed through.</summary>
public sealed class HashingStream : Stream
{
    private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long length;

    public ExportDigest Digest() => new(sha.GetHashAndReset(), length);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        sha.AppendData(buffer);
        length += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => length;
    public override long Position { get => length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) sha.Dispose();
        base.Dispose(disposing);
    }
}

public sealed record ExportDigest(byte[] Sha256, long Length)
{
    public static ExportDigest Of(byte[] body) => new(SHA256.HashData(body), body.Length);

    /// <summary>
    /// Sets ETag, Digest (RFC 3230), Repr-Digest (RFC 9530) and Content-Length; answers 304 and
    /// true when the client already has these bytes.
    /// </summary>
    public bool Announce(HttpContext http, string contentType)
    {
        var etag = $"\"sha256-{Convert.ToHexStringLower(Sha256)}\"";
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers["Digest"] = $"sha-256={Convert.ToBase64String(Sha256)}";
        headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Sha256)}:";
        if (http.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        http.Response.ContentType = contentType;
        http.Response.ContentLength = Length;
        return false;
    }
}

/// <summary>
/// The digest of each export at the event set it was last computed for: one entry per export,
/// replaced when the events change, so it stays a few bytes however long the record grows.
/// </summary>
public sealed class ExportDigests
{
    private readonly ConcurrentDictionary<string, (string Version, ExportDigest Digest)> latest = new(StringComparer.Ordinal);

    /// <summary>Names the set of events a snapshot sees: events are only appended, so count and last sequence number do.</summary>
    public static async Task<string> VersionAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        // …and the log's latest checkpoint with its cosignatures, which the exports carry.
        await using var cmd = new NpgsqlCommand(
            $"select count(*), coalesce(max(seq_id), 0), "
            + $"(select coalesce(max(tree_size), 0) from {Log.LogSchema.Checkpoints}), (select count(*) from {Log.LogSchema.Cosignatures}) "
            + $"from {Configuration.Schema}.mt_events", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return $"{reader.GetInt64(0)}:{reader.GetInt64(1)}:{reader.GetInt64(2)}:{reader.GetInt64(3)}";
    }

    public ExportDigest? Find(string export, string version) =>
        latest.TryGetValue(export, out var entry) && entry.Version == version ? entry.Digest : null;

    public ExportDigest Remember(string export, string version, ExportDigest digest)
    {
        latest[export] = (version, digest);
        return digest;
    }
}
