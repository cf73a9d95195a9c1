using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>
/// An import answers only when it is done. Its route has a cluster of its own, to the same
/// commitments destinations, whose idle timeout outlasts it, while every other route keeps the
/// short one that makes a stuck backend a quick 504.
/// </summary>
public class ImportTimeoutTests(GatewayApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slow_import_is_waited_for_while_a_slow_read_times_out()
    {
        var backend = WebApplication.CreateBuilder();
        backend.WebHost.UseUrls("http://127.0.0.1:0");
        await using var slow = backend.Build();
        slow.MapGet("/health/live", () => "ok");
        slow.MapPost("/api/import", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            return Results.Ok(new { pledges = 0, events = 0, skipped = 0 });
        });
        slow.MapGet("/api/tallies", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            return Results.Ok(new { total = 0 });
        });
        await slow.StartAsync(Ct);
        var address = slow.Urls.Single() + "/";

        await using var gateway = app.Factory.WithWebHostBuilder(b => b
            .UseSetting("ReverseProxy:Clusters:commitments:Destinations:primary:Address", address)
            .UseSetting("ReverseProxy:Clusters:commitments:HttpRequest:ActivityTimeout", "00:00:01"));
        var token = await app.Staff.AddAsync("Admin " + Guid.NewGuid().ToString("N")[..6], "admin", "tests", Ct);
        using var client = gateway.CreateClient();

        var import = new HttpRequestMessage(HttpMethod.Post, "/api/import")
        {
            Content = new StringContent("{}\n", Encoding.UTF8, "application/x-ndjson"),
            Headers = { Authorization = new("Bearer", token) },
        };
        (await client.SendAsync(import, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/tallies?r=" + Guid.NewGuid().ToString("N"), Ct)).StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
    }
}
