using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace R2PTracker.Gateway.Tests;

/// <summary>What the stand-in answers a path with, in place of its usual body.</summary>
public sealed record BackendAnswer(int Status, string Body, string ContentType = "application/json");

public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>
/// A real HTTP server on a loopback port standing in for both backends: it records every request
/// the gateway forwards (path, query, headers) and answers each read with a small valid body of
/// the shape commitments gives, so the dashboard's pages render: an empty log (no checkpoint), its
/// key and no witnesses. A test sets <see cref="Answers"/> to answer a path otherwise.
/// </summary>
public sealed class RecordingBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingBackend(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public string Address { get; private set; } = "";

    /// <summary>Answers by path that replace the usual ones (a timeline with entries, a checkpoint, a failing log).</summary>
    public ConcurrentDictionary<string, BackendAnswer> Answers { get; } = new();

    public const string LogKey = "r2p.example/log+1a2b3c4d+AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/ab=";

    public int Count(string path, string? query = null) =>
        Requests.Count(r => r.Path == path && (query is null || r.Query == query));

    public static async Task<RecordingBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new RecordingBackend(app);
        app.MapGet("/health/live", () => "ok");
        app.Map("/{**path}", async (HttpContext http) =>
        {
            var request = http.Request;
            backend.Requests.Enqueue(new RecordedRequest(request.Method, request.Path, request.QueryString.Value ?? "",
                request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            if (request.ContentLength > 0) await request.Body.CopyToAsync(Stream.Null);
            if (backend.Answers.TryGetValue(request.Path.Value!, out var answer))
            {
                http.Response.StatusCode = answer.Status;
                http.Response.ContentType = answer.ContentType;
                await http.Response.WriteAsync(answer.Body);
                return;
            }
            var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments is ["api", "log", "checkpoint"])
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                http.Response.ContentType = "application/problem+json";
                await http.Response.WriteAsync("""{"status":404,"title":"The log is empty."}""");
                return;
            }
            if (segments is ["api", "log", "key"])
            {
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync(LogKey + "\n");
                return;
            }
            http.Response.ContentType = "application/json";
            var body = segments switch
            {
                ["api", "pledges"] => "[]",
                ["api", "tallies"] => """{"total":0,"byStatus":{},"overdue":0}""",
                ["api", "tallies", "series"] => "[]",
                ["api", "pledges", var id] when HttpMethods.IsGet(request.Method) =>
                    $$"""{"id":"{{id}}","title":"A pledge","status":"NotYetRated","progress":0,"version":1,"milestoneCount":0}""",
                ["api", "pledges", _, "timeline" or "status-history"] => "[]",
                ["api", "log", "witnesses"] => "[]",
                _ => "{}",
            };
            if (segments is ["api", "pledges"]) http.Response.Headers["X-Total-Count"] = "0";
            await http.Response.WriteAsync(body);
        });
        await app.StartAsync();
        backend.Address = app.Urls.Single() + "/";
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
