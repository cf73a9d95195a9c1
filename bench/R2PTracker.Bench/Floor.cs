using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace R2PTracker.Bench;

/// <summary>
/// The floor for (a): the least an append over HTTP can cost on this machine. A minimal ASP.NET Core
/// endpoint, in a process of its own, that takes a small JSON body and inserts one row with one
/// statement (no authentication, validation, stream, snapshot, hash or forwarding), driven by the
/// same client loop as the milestone appends. It tells how much of the gap to pgbench is HTTP and
/// .NET on this machine rather than the event store.
/// </summary>
internal static class Floor
{
    public const string Table = "bench_rows";

    public const string CreateTable =
        $"create table if not exists {Table} (id bigserial primary key, stream_id text not null, data jsonb not null, created timestamptz not null default now())";

    /// <summary>Runs the floor endpoint until the process is stopped: <c>--serve-floor URL --postgres CONNSTRING</c>.</summary>
    public static async Task ServeAsync(string url, string connectionString)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using (var create = db.CreateCommand(CreateTable)) await create.ExecuteNonQueryAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok());
        app.MapPost("/rows", async (Row row, CancellationToken ct) =>
        {
            await using var insert = db.CreateCommand($"insert into {Table} (stream_id, data) values ($1, $2::jsonb) returning id");
            insert.Parameters.Add(new NpgsqlParameter { Value = row.StreamId });
            insert.Parameters.Add(new NpgsqlParameter { Value = System.Text.Json.JsonSerializer.Serialize(row) });
            return Results.Ok(new { id = (long)(await insert.ExecuteScalarAsync(ct))! });
        });
        await app.RunAsync();
    }

    /// <summary>Inserts per second through the floor endpoint, <paramref name="clients"/> at a time.</summary>
    public static async Task<double> RunAsync(string label, string url, int clients, int seconds)
    {
        var (perSecond, ok, failed) = await ClientLoad.RunAsync(clients, seconds, async (i, running, count) =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            while (running())
            {
                using var response = await http.PostAsJsonAsync("/rows", new Row($"floor-{i}", "Milestone", "2019-12"));
                count(response.StatusCode == HttpStatusCode.OK);
            }
        });
        Console.WriteLine($"{label}: {ok} inserts, {perSecond:F0}/s, {failed} failed");
        if (failed > 0) throw new InvalidOperationException($"{label}: {failed} requests failed");
        return perSecond;
    }

    internal sealed record Row(string StreamId, string Title, string OccurredOn);
}
