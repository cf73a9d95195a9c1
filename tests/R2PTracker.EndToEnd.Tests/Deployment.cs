using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using R2PTracker.Testing;

[assembly: AssemblyFixture(typeof(R2PTracker.EndToEnd.Tests.Deployment))]

namespace R2PTracker.EndToEnd.Tests;

/// <summary>
/// The three services as processes on free ports, on the real PostgreSQL (a database of their
/// own) and RabbitMQ (virtual host "e2e"), seeded, with one editor's staff token. Tests talk to
/// them only over HTTP.
/// </summary>
public sealed class Deployment : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];

    public string GatewayUrl { get; private set; } = "";
    public string CommitmentsUrl { get; private set; } = "";
    public string NotificationsUrl { get; private set; } = "";

    /// <summary>The gateway's Prometheus endpoint, on a port of its own (its public port does not answer /metrics).</summary>
    public string GatewayMetricsUrl { get; private set; } = "";

    /// <summary>Every span the services export (they run with Telemetry:Exporter=otlp, to this receiver).</summary>
    public OtlpReceiver Spans { get; private set; } = null!;
    public string StaffToken { get; private set; } = "";

    /// <summary>The services' internal key, for tests that act as another gateway instance would.</summary>
    public string SigningKey { get; private set; } = "";
    public const string StaffName = "Sokha Editor";
    public string AdminToken { get; private set; } = "";

    /// <summary>The gateway's environment (its own role and broker user, its address and its backends'), for starting another instance.</summary>
    public IReadOnlyDictionary<string, string> GatewayEnvironment { get; private set; } = new Dictionary<string, string>();

    /// <summary>Registers a pledge of a test's own through the gateway, so tests that change it run apart.</summary>
    public async Task<string> NewPledgeAsync()
    {
        var id = "e2e-" + Guid.NewGuid().ToString("N")[..10];
        using var admin = Gateway();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        var response = await admin.PostAsJsonAsync("/api/pledges", PledgeBody(id));
        response.EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>The body that registers a test pledge, made in February 2015.</summary>
    public static object PledgeBody(string id, string? targetDate = null) => new
    {
        id, title = "A pledge for " + id, quote = "We will do it.", actor = "A government", country = "KH", madeOn = "2015-02",
        targetDate, source = new { title = "A newspaper", publisher = "A publisher" },
    };

    /// <summary>A staff status change through the gateway, with reason and evidence, expected to succeed.</summary>
    public async Task ChangeStatusAsync(string pledgeId, string status, string etag, string reason = "Seen in the CICP report", string occurredOn = "2023-09-16")
    {
        var change = new HttpRequestMessage(HttpMethod.Post, $"/api/pledges/{pledgeId}/status")
        {
            Content = JsonContent.Create(new
            {
                status, reason, occurredOn,
                evidence = new[] { new { title = "CICP, Spotlight on R2P", url = "https://cicp.org.kh/" } },
            }),
        };
        change.Headers.TryAddWithoutValidation("If-Match", etag);
        using var staff = StaffThroughGateway();
        (await staff.SendAsync(change)).EnsureSuccessStatusCode();
    }

    public const string ReviewApprovalsSetting = "Review__VerdictApprovals";

    /// <summary>What a commitments instance runs with: the common settings and the log's key.</summary>
    public Dictionary<string, string> CommitmentsEnvironment { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var signingKey = SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        // Each service as a PostgreSQL role and a RabbitMQ user of its own, as up.sh runs them.
        var roles = await TestEnvironment.ServiceRolesAsync(await TestEnvironment.CreateDatabaseAsync("e2e"));
        var common = new Dictionary<string, string>
        {
            ["InternalAuth__SigningKey"] = signingKey,
            // The test receivers listen on loopback, which the default configuration refuses (SSRF guard).
            ["Webhooks__AllowLoopback"] = "true",
            ["Delivery__RetryDelays"] = "00:00:00.200,00:00:00.500,00:00:01",
            ["DOTNET_ENVIRONMENT"] = "Production",
            // Tests may raise the gateway's limits (the defaults are for the public).
            ["RateLimits__SubscriptionsPerMinute"] = "100000",
            ["RateLimits__PublicReadsPerMinute"] = "100000",
            ["RateLimits__FailedSignInsPerMinute"] = "1000",
            ["RateLimits__SubmissionsPerMinute"] = "100000",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // The overdue monitor's pass runs every second here instead of every minute (OverdueTests).
            ["Overdue__Interval"] = "00:00:01",
        };
        // Traces go over OTLP/HTTP to a receiver of the test's, in batches sent every 100 ms.
        Spans = await OtlpReceiver.StartAsync();
        common["Telemetry__Exporter"] = "otlp";
        common["OTEL_EXPORTER_OTLP_ENDPOINT"] = Spans.BaseUrl;
        common["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        common["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        int gatewayPort = ServiceProcess.FreePort(), commitmentsPort = ServiceProcess.FreePort(), notificationsPort = ServiceProcess.FreePort();
        GatewayUrl = $"http://127.0.0.1:{gatewayPort}";
        // E-mail goes to the maildev tests/run.sh starts; links in it point at the gateway.
        common["Email__SmtpHost"] = "127.0.0.1";
        common["Email__SmtpPort"] = MailDev.SmtpPort.ToString(CultureInfo.InvariantCulture);
        common["Email__Security"] = "None";
        common["Email__PublicBaseUrl"] = GatewayUrl;
        CommitmentsUrl = $"http://127.0.0.1:{commitmentsPort}";
        var notificationsUrl = NotificationsUrl = $"http://127.0.0.1:{notificationsPort}";
        GatewayMetricsUrl = $"http://127.0.0.1:{ServiceProcess.FreePort()}";

        var commitments = ServiceProcess.DllPath("commitments", "R2PTracker.Commitments");
        var notifications = ServiceProcess.DllPath("notifications", "R2PTracker.Notifications");
        var gateway = ServiceProcess.DllPath("gateway", "R2PTracker.Gateway");

        var gatewayCommon = As("gateway");
        StaffToken = await ServiceProcess.RunCommandAsync(gateway, gatewayCommon, "staff", "add", StaffName, "--role", "editor");
        AdminToken = await ServiceProcess.RunCommandAsync(gateway, gatewayCommon, "staff", "add", "Arun Admin", "--role", "admin");

        // The log's key only where it signs: commitments.
        // Verdicts are direct here (the tests of other things assess Kept or Broken); ReviewBrowserTests start a
        // commitments instance of their own with two-person review as shipped.
        CommitmentsEnvironment = With(With(With(With(As("commitments"), "Log__SigningKey", TestEnvironment.LogSigner.SignerKey), "Log__Origin", TestEnvironment.LogOrigin),
            "Log__WitnessKeys__0", TestEnvironment.WitnessSigner.CosignatureVerifierKey), ReviewApprovalsSetting, "0");
        _services.Add(ServiceProcess.Start(commitments, With(CommitmentsEnvironment, "Urls", CommitmentsUrl)));
        // The internal signing key only where it is used: the gateway signs, commitments checks;
        // notifications and the seed run without it.
        _services.Add(ServiceProcess.Start(notifications, Without(With(As("notifications"), "Urls", notificationsUrl), "InternalAuth__SigningKey")));
        GatewayEnvironment = With(With(With(With(gatewayCommon, "Urls", GatewayUrl), "Telemetry__Prometheus", GatewayMetricsUrl),
            "ReverseProxy__Clusters__commitments__Destinations__primary__Address", CommitmentsUrl + "/"),
            "ReverseProxy__Clusters__notifications__Destinations__primary__Address", notificationsUrl + "/");
        _services.Add(ServiceProcess.Start(gateway, GatewayEnvironment));

        foreach (var url in new[] { CommitmentsUrl, notificationsUrl, GatewayUrl }) await WaitReadyAsync(url);

        // The seed writes as the service does but runs no daemon: neither the internal key nor the log's.
        await ServiceProcess.RunCommandAsync(commitments, Without(As("commitments"), "InternalAuth__SigningKey"), "seed");

        Dictionary<string, string> As(string service) => With(With(common,
            "ConnectionStrings__Postgres", roles[service]), "ConnectionStrings__RabbitMq", TestEnvironment.RabbitMqFor("e2e", service));
    }

    /// <summary>
    /// Another gateway process on the same database, broker and backends, with settings of its own
    /// and a home folder of its own (as another machine or container has). The caller disposes the
    /// process, then deletes <c>Home</c>.
    /// </summary>
    public async Task<(ServiceProcess Process, string Url, DirectoryInfo Home)> AnotherGatewayAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var home = Directory.CreateTempSubdirectory("r2p-gateway-home-");
        var environment = new Dictionary<string, string>(GatewayEnvironment)
        {
            ["HOME"] = home.FullName, ["Telemetry__Prometheus"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var (process, url) = await ServiceProcess.StartOnFreePortAsync(ServiceProcess.DllPath("gateway", "R2PTracker.Gateway"), environment);
        return (process, url, home);
    }

    private Task WaitReadyAsync(string url) =>
        ServiceProcess.WaitReadyAsync(url, () => string.Join("\n----\n", _services.Select(s => s.Output)));

    private static Dictionary<string, string> With(Dictionary<string, string> env, string key, string value) =>
        new(env) { [key] = value };

    /// <summary>The setting blank (not just left out, which would let one from the test's own environment through).</summary>
    private static Dictionary<string, string> Without(Dictionary<string, string> env, string key) => With(env, key, "");


    public HttpClient Gateway() => new() { BaseAddress = new Uri(GatewayUrl) };

    public HttpClient StaffThroughGateway()
    {
        var client = Gateway();
        client.DefaultRequestHeaders.Authorization = new("Bearer", StaffToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
        if (Spans is not null) await Spans.DisposeAsync();
    }
}
