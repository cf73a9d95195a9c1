using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace R2PTracker.Testing;

/// <summary>One span as a service exported it: ids in lower-case hex, as in a traceparent header.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string TraceId, string SpanId, string? ParentSpanId, string Name, int Kind);

/// <summary>
/// An OTLP/HTTP receiver (protobuf, as OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf sends it) on a loopback
/// port that keeps every span the services under test export. It reads the few fields of the OTLP
/// trace messages it needs straight from the protobuf wire format (the OTLP .proto definitions:
/// opentelemetry-proto, trace/v1 and resource/v1), so that the test does not check the exporters'
/// output with the exporters' own code. Metrics and logs are accepted and dropped.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedSpan>> _byTrace = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>How many spans have come from each service so far (for a test's failure message).</summary>
    public string Summary() => string.Join(", ", _byTrace.Values.SelectMany(q => q).GroupBy(s => s.Service).Select(g => $"{g.Key}: {g.Count()}"))
                               + $"; requests: {_requests}, failed: {_failures}";

    private int _requests;
    private int _failures;

    /// <summary>The spans received so far of one trace (hex trace id).</summary>
    public IReadOnlyList<ReceivedSpan> Trace(string traceId) =>
        _byTrace.TryGetValue(traceId, out var spans) ? spans.ToArray() : [];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            Interlocked.Increment(ref receiver._requests);
            var body = await ReadBodyAsync(http.Request);
            IEnumerable<ReceivedSpan> spans;
            try
            {
                spans = ParseTraces(body);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref receiver._failures);
                return Results.BadRequest();
            }
            foreach (var span in spans)
                receiver._byTrace.GetOrAdd(span.TraceId, _ => new ConcurrentQueue<ReceivedSpan>()).Enqueue(span);
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", () => Results.Bytes([], "application/x-protobuf"));
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var body = request.Headers.ContentEncoding.ToString() == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
        await body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }</summary>
    public static IEnumerable<ReceivedSpan> ParseTraces(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue;
            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) service = ServiceName(value);
                else if (f == 2) scopes.Add(value);
            }
            foreach (var scopeSpans in scopes)
            {
                // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
                var scope = "";
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f == 1) scope = Fields(value).Where(x => x.Field == 1).Select(x => Encoding.UTF8.GetString(x.Value)).FirstOrDefault() ?? "";
                    else if (f == 2) spans.Add(Span(service, scope, value));
                }
            }
        }
        return spans;
    }

    /// <summary>Resource { repeated KeyValue attributes = 1; }, KeyValue { string key = 1; AnyValue value = 2; }, AnyValue { string string_value = 1; }</summary>
    private static string ServiceName(byte[] resource)
    {
        foreach (var (f, keyValue) in Fields(resource))
        {
            if (f != 1) continue;
            var parts = Fields(keyValue).ToList();
            if (parts.FirstOrDefault(p => p.Field == 1).Value is { } key && Encoding.UTF8.GetString(key) == "service.name"
                && parts.FirstOrDefault(p => p.Field == 2).Value is { } any)
                return Fields(any).Where(p => p.Field == 1).Select(p => Encoding.UTF8.GetString(p.Value)).FirstOrDefault() ?? "";
        }
        return "";
    }

    /// <summary>Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; }</summary>
    private static ReceivedSpan Span(string service, string scope, byte[] span)
    {
        string traceId = "", spanId = "", name = "";
        string? parent = null;
        var kind = 0;
        foreach (var (f, value) in Fields(span))
        {
            switch (f)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: parent = value.Length == 0 ? null : Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 6: kind = (int)BitConverter.ToUInt64(value); break;
            }
        }
        return new ReceivedSpan(service, scope, traceId, spanId, parent, name, kind);
    }

    /// <summary>
    /// The fields of one protobuf message: length-delimited ones as their bytes, varints as 8 little-endian
    /// bytes, fixed-size ones as their bytes.
    /// </summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    yield return (field, BitConverter.GetBytes(Varint(message, ref position)));
                    break;
                case 1:
                    yield return (field, message[position..(position + 8)]);
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    yield return (field, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return (field, message[position..(position + 4)]);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {tag & 7} at {position}.");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
