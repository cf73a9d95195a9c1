using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.AppHost.Tests;

/// <summary>
/// deploy/aspire's AppHost, started as a developer's <c>dotnet run</c> would, on the test servers instead of
/// up.sh's: each service with a PostgreSQL role of its own on a fresh database, the broker on a virtual host
/// of this assembly's own, e-mail to the test maildev. Its settings are handed in as configuration
/// (R2P:Services:NAME), the way the AppHost takes them when there are no .local/NAME.env files to read.
/// </summary>
public sealed class AppHostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_AppHost_runs_the_three_services_healthy_and_the_gateway_answers_through_to_commitments()
    {
        var roles = await TestEnvironment.ServiceRolesAsync(await TestEnvironment.CreateDatabaseAsync("apphost"));
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var settings = new Dictionary<string, string>
        {
            ["commitments:InternalAuth:SigningKey"] = signingKey,
            ["commitments:Log:SigningKey"] = TestEnvironment.LogSigner.SignerKey,
            ["commitments:Log:Origin"] = TestEnvironment.LogOrigin,
            ["notifications:Webhooks:AllowLoopback"] = "true",
            ["notifications:Email:SmtpHost"] = "127.0.0.1",
            ["notifications:Email:SmtpPort"] = MailDev.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["notifications:Email:Security"] = "None",
            ["gateway:InternalAuth:SigningKey"] = signingKey,
        };
        foreach (var service in new[] { "commitments", "notifications", "gateway" })
        {
            settings[$"{service}:ConnectionStrings:Postgres"] = roles[service];
            settings[$"{service}:ConnectionStrings:RabbitMq"] = TestEnvironment.RabbitMqFor("apphost-tests");
        }
        // Ports Aspire chooses, so the test runs beside anything on the AppHost's own (18080-18082).
        string[] args = [
            .. settings.Select(s => $"--R2P:Services:{s.Key}={s.Value}"),
            "--R2P:Ports:commitments=0", "--R2P:Ports:notifications=0", "--R2P:Ports:gateway=0",
        ];

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.R2PTracker_AppHost>(args, Ct);
        await using var app = await builder.BuildAsync(Ct);
        await app.StartAsync(Ct);

        // Healthy: Aspire's health check on each service's /health/ready (its PostgreSQL and RabbitMQ) passed.
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        startup.CancelAfter(TimeSpan.FromMinutes(2));
        foreach (var service in new[] { "commitments", "notifications", "gateway" })
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, startup.Token);

        // The gateway's public API is proxied to commitments at the address the AppHost gave it.
        using var gateway = app.CreateHttpClient("gateway");
        using var response = await gateway.GetAsync("/api/pledges", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        using var pledges = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        pledges.RootElement.ValueKind.ShouldBe(JsonValueKind.Array);
    }
}
