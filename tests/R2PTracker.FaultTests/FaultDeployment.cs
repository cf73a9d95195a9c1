using System.Diagnostics;
using System.Security.Cryptography;
using R2PTracker.Testing;

[assembly: AssemblyFixture(typeof(R2PTracker.FaultTests.FaultDeployment))]

namespace R2PTracker.FaultTests;

/// <summary>
/// The three services as processes, on a PostgreSQL and a RabbitMQ broker of their own (started
/// through deploy/local/lib.sh), so that restarting either disturbs no other test assembly.
/// Retry delays are shortened and loopback webhooks allowed, as deploy/local allows them.
/// </summary>
public sealed class FaultDeployment : IAsyncLifetime
{
    public const string RetryDelays = "00:00:00.500,00:00:01,00:00:02,00:00:04";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "r2p-faults-" + Guid.NewGuid().ToString("N")[..8]);
    private Dictionary<string, string> _common = [];
    private readonly Dictionary<string, string> _postgres = [], _rabbit = [];
    private Dictionary<string, string> _notificationsEnvironment = [];
    private ServiceProcess? _commitments, _notifications, _gateway;
    private Dictionary<string, string> _commitmentsEnvironment = [], _gatewayEnvironment = [];
    private (ServiceProcess Process, string Url)? _defaultNotifications;

    public int RabbitPort { get; private set; }
    public int PostgresPort { get; private set; }
    private string PostgresDir => Path.Combine(_work, "pg");
    public string RabbitDir => Path.Combine(_work, "rabbit");
    public string GatewayUrl { get; private set; } = "";
    /// <summary>Commitments itself, for reads that must not come from the gateway's cache.</summary>
    public string CommitmentsUrl { get; private set; } = "";
    public string NotificationsUrl { get; private set; } = "";
    public string StaffToken { get; private set; } = "";
    public string SigningKey => _common["InternalAuth__SigningKey"];

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        PostgresPort = int.Parse(await LibAsync("free_port_block 1"));
        await StartPostgresAsync();
        // Each service as a role and a broker user of its own, made as up.sh makes them (guest deleted).
        foreach (var database in new[] { "faults", "faultsdefault" })
            await LibAsync($"pg_create_db '{PostgresDir}' {PostgresPort} {database} && pg_service_roles '{PostgresDir}' {PostgresPort} {database} {database} '{Secrets}'");
        RabbitPort = int.Parse(await LibAsync("free_port_block 3"));
        await StartRabbitAsync();
        await LibAsync($"rabbit_service_users '{RabbitDir}' {RabbitPort} ssrf r2p '{Secrets}' && rabbit_service_users '{RabbitDir}' {RabbitPort} / r2p '{Secrets}' --delete-guest");
        foreach (var service in new[] { "commitments", "notifications", "gateway" })
        {
            _postgres[service] = await LibAsync($"pg_service_connection {PostgresPort} faults faults '{Secrets}' {service}") + ";Maximum Pool Size=50";
            _rabbit[service] = await LibAsync($"rabbit_service_uri {RabbitPort} / r2p '{Secrets}' {service}");
        }

        _common = new Dictionary<string, string>
        {
            ["InternalAuth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // The tests subscribe hundreds of receivers through the gateway: raise its limits.
            ["RateLimits__SubscriptionsPerMinute"] = "100000",
            ["RateLimits__PublicReadsPerMinute"] = "100000",
            ["RateLimits__FailedSignInsPerMinute"] = "1000",
        };
        int gatewayPort = ServiceProcess.FreePort(), commitmentsPort = ServiceProcess.FreePort(), notificationsPort = ServiceProcess.FreePort();
        GatewayUrl = $"http://127.0.0.1:{gatewayPort}";
        var commitmentsUrl = CommitmentsUrl = $"http://127.0.0.1:{commitmentsPort}";
        NotificationsUrl = $"http://127.0.0.1:{notificationsPort}";
        _notificationsEnvironment = new Dictionary<string, string>(For("notifications"))
        {
            // The internal key only where it is used (the gateway signs, commitments checks), blank for the rest.
            ["InternalAuth__SigningKey"] = "",
            ["Urls"] = NotificationsUrl,
            ["Webhooks__AllowLoopback"] = "true",
            ["Delivery__RetryDelays"] = RetryDelays,
            ["Delivery__PollInterval"] = "00:00:00.200",
            // Few senders, so that a fan-out to 500 lasts long enough to be killed in the middle.
            ["Delivery__Parallelism"] = "8",
            // Fault 2 aims 500 subscriptions at one local receiver, from one client.
            ["Webhooks__MaxPerHost"] = "100000",
            ["Webhooks__MaxPerClient"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        };

        var gateway = ServiceProcess.DllPath("gateway", "R2PTracker.Gateway");
        StaffToken = await ServiceProcess.RunCommandAsync(gateway, For("gateway"), "staff", "add", "Fault Tester", "--role", "editor");
        _commitmentsEnvironment = new Dictionary<string, string>(For("commitments"))
        {
            ["Urls"] = commitmentsUrl,
            ["Log__SigningKey"] = TestEnvironment.LogSigner.SignerKey,
            ["Log__Origin"] = TestEnvironment.LogOrigin,
        };
        _commitments = ServiceProcess.Start(CommitmentsDll, _commitmentsEnvironment);
        _notifications = ServiceProcess.Start(NotificationsDll, _notificationsEnvironment);
        _gatewayEnvironment = new Dictionary<string, string>(For("gateway"))
        {
            ["Urls"] = GatewayUrl,
            ["ReverseProxy__Clusters__commitments__Destinations__primary__Address"] = commitmentsUrl + "/",
            ["ReverseProxy__Clusters__notifications__Destinations__primary__Address"] = NotificationsUrl + "/",
        };
        _gateway = ServiceProcess.Start(gateway, _gatewayEnvironment);
        foreach (var url in new[] { commitmentsUrl, NotificationsUrl, GatewayUrl }) await WaitReadyAsync(url);
        await ServiceProcess.RunCommandAsync(ServiceProcess.DllPath("commitments", "R2PTracker.Commitments"),
            new Dictionary<string, string>(For("commitments")) { ["InternalAuth__SigningKey"] = "" }, "seed");
    }

    private static string NotificationsDll => ServiceProcess.DllPath("notifications", "R2PTracker.Notifications");
    private static string CommitmentsDll => ServiceProcess.DllPath("commitments", "R2PTracker.Commitments");

    /// <summary>
    /// A second commitments instance like the first (same database and broker, a port of its own),
    /// as a scaled-out deployment runs it. The gateway still forwards to the first. The caller disposes it.
    /// </summary>
    public Task<(ServiceProcess Process, string Url)> SecondCommitmentsAsync() =>
        ServiceProcess.StartOnFreePortAsync(CommitmentsDll, _commitmentsEnvironment);

    public Task KillCommitmentsAsync() => _commitments!.KillAsync();

    public async Task RestartCommitmentsAsync()
    {
        if (_commitments is not null) await _commitments.DisposeAsync();
        _commitments = ServiceProcess.Start(CommitmentsDll, _commitmentsEnvironment);
        await WaitReadyAsync(_commitmentsEnvironment["Urls"]);
    }

    private string Secrets => Path.Combine(_work, "secrets");

    /// <summary>The common settings with the service's own PostgreSQL role and broker user.</summary>
    private Dictionary<string, string> For(string service) => new(_common)
    {
        ["ConnectionStrings__Postgres"] = _postgres[service],
        ["ConnectionStrings__RabbitMq"] = _rabbit[service],
    };

    public Task StopPostgresAsync() => LibAsync($"pg_stop '{PostgresDir}'");

    public Task StartPostgresAsync() => LibAsync($"pg_start '{PostgresDir}' {PostgresPort} '{_work}/pg.log' fast");

    public Task StopRabbitAsync() => LibAsync($"rabbit_stop '{RabbitDir}' {RabbitPort}");

    public Task StartRabbitAsync() => LibAsync($"rabbit_start '{RabbitDir}' {RabbitPort}");

    public Task KillNotificationsAsync() => _notifications!.KillAsync();

    /// <summary>Kills notifications and starts it again with <paramref name="settings"/> over the usual ones (none: the usual ones).</summary>
    public async Task RestartNotificationsWithAsync(IReadOnlyDictionary<string, string>? settings)
    {
        await _notifications!.KillAsync();
        await _notifications.DisposeAsync();
        var environment = new Dictionary<string, string>(_notificationsEnvironment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        _notifications = ServiceProcess.Start(NotificationsDll, environment);
        await WaitReadyAsync(NotificationsUrl);
    }

    public async Task RestartNotificationsAsync()
    {
        if (_notifications is not null) await _notifications.DisposeAsync();
        _notifications = ServiceProcess.Start(NotificationsDll, _notificationsEnvironment);
        await WaitReadyAsync(NotificationsUrl);
    }

    /// <summary>
    /// A second notifications instance like the first (same database, same broker and queues, a port
    /// of its own), as a scaled-out deployment runs it. The caller disposes it.
    /// </summary>
    public async Task<ServiceProcess> SecondNotificationsAsync() =>
        (await ServiceProcess.StartOnFreePortAsync(NotificationsDll, _notificationsEnvironment)).Process;

    /// <summary>Another notifications instance with the default configuration (loopback not allowed).</summary>
    public async Task<(ServiceProcess Process, string Url)> DefaultNotificationsAsync() =>
        _defaultNotifications ??= await StartDefaultNotificationsAsync();

    private async Task<(ServiceProcess Process, string Url)> StartDefaultNotificationsAsync() =>
        await ServiceProcess.StartOnFreePortAsync(NotificationsDll, new Dictionary<string, string>(_common)
        {
            ["ConnectionStrings__Postgres"] = await LibAsync($"pg_service_connection {PostgresPort} faultsdefault faultsdefault '{Secrets}' notifications"),
            ["ConnectionStrings__RabbitMq"] = await LibAsync($"rabbit_service_uri {RabbitPort} ssrf r2p '{Secrets}' notifications"),
            ["InternalAuth__SigningKey"] = "",
        });

    private string ClusterDir => Path.Combine(_work, "rabbit-cluster");

    /// <summary>The first of the three-node cluster's port block (0: no cluster started).</summary>
    public int ClusterBase { get; private set; }

    /// <summary>
    /// Starts a three-node RabbitMQ cluster of its own (lib.sh's rabbit_cluster_start) with the same
    /// broker users as the single broker, and restarts the three services against it, each given every
    /// node (RabbitMq:ClusterNodes). <see cref="UseSingleRabbitAsync"/> undoes it.
    /// </summary>
    public async Task UseRabbitClusterAsync()
    {
        ClusterBase = int.Parse(await LibAsync("free_port_block 9"));
        await LibAsync($"rabbit_cluster_start '{ClusterDir}' {ClusterBase} && rabbit_cluster_node '{ClusterDir}' {ClusterBase} 1 rabbit_service_users / r2p '{Secrets}' --delete-guest");
        var nodes = await LibAsync($"rabbit_cluster_nodes {ClusterBase}");
        var first = await LibAsync($"rabbit_cluster_port {ClusterBase} 1");
        var settings = new Dictionary<string, Dictionary<string, string>>();
        foreach (var service in new[] { "commitments", "notifications", "gateway" })
            settings[service] = new()
            {
                ["ConnectionStrings__RabbitMq"] = await LibAsync($"rabbit_service_uri {first} / r2p '{Secrets}' {service}"),
                ["RabbitMq__ClusterNodes"] = nodes,
            };
        await RestartAllWithAsync(settings);
    }

    /// <summary>The services back on the single broker; the cluster stopped.</summary>
    public async Task UseSingleRabbitAsync()
    {
        await RestartAllWithAsync(null);
        if (ClusterBase != 0) await LibAsync($"rabbit_cluster_stop '{ClusterDir}' {ClusterBase}");
        ClusterBase = 0;
    }

    /// <summary>rabbitmqctl on the cluster's node <paramref name="node"/> (1-3); its standard output.</summary>
    public Task<string> ClusterCtlAsync(int node, string arguments) =>
        LibAsync($"rabbit_cluster_node '{ClusterDir}' {ClusterBase} {node} rabbit_ctl {arguments}");

    public Task StopClusterNodeAsync(int node) => LibAsync($"rabbit_cluster_node '{ClusterDir}' {ClusterBase} {node} rabbit_stop");

    public Task StartClusterNodeAsync(int node) => LibAsync($"rabbit_cluster_node '{ClusterDir}' {ClusterBase} {node} rabbit_start");

    /// <summary>The cluster node (1-3) named <paramref name="nodeName"/> (r2p-PORT@localhost).</summary>
    public int ClusterNodeOf(string nodeName) =>
        (int.Parse(nodeName.Split('@')[0]["r2p-".Length..], System.Globalization.CultureInfo.InvariantCulture) - ClusterBase) / 3 + 1;

    private string PatroniDir => Path.Combine(_work, "patroni");

    /// <summary>The first of the Patroni cluster's port block (0: no cluster started).</summary>
    public int PatroniBase { get; private set; }

    public const int PatroniNodes = 2;

    /// <summary>
    /// Starts a Patroni cluster of its own (lib.sh's patroni_cluster_start: etcd, a primary and a
    /// synchronous standby) with the database and service roles up.sh makes, and restarts the three
    /// services against it, each given every node in one multi-host connection string that asks for
    /// the node accepting writes. The cluster is a database of its own: the seed and a staff member
    /// (<see cref="StaffToken"/> is theirs until <see cref="UseSinglePostgresAsync"/>) are made in it.
    /// </summary>
    public async Task UsePatroniAsync()
    {
        PatroniBase = int.Parse(await LibAsync($"free_port_block {2 + 2 * PatroniNodes}"));
        await LibAsync($"ensure_patroni_installed && patroni_cluster_start '{PatroniDir}' {PatroniBase} {PatroniNodes} fast");
        var leader = await PatroniLeaderAsync();
        var port = await LibAsync($"patroni_pg_port {PatroniBase} {leader}");
        await LibAsync($"pg_create_db '{PatroniDir}/postgres' {port} faults && pg_service_roles '{PatroniDir}/postgres' {port} faults faults '{Secrets}'");
        var settings = new Dictionary<string, Dictionary<string, string>>();
        foreach (var service in new[] { "commitments", "notifications", "gateway" })
            settings[service] = new()
            {
                ["ConnectionStrings__Postgres"] = await LibAsync($"patroni_service_connection {PatroniBase} {PatroniNodes} faults faults '{Secrets}' {service}") + ";Maximum Pool Size=50",
            };
        var gateway = ServiceProcess.DllPath("gateway", "R2PTracker.Gateway");
        _singleStaffToken = StaffToken;
        StaffToken = await ServiceProcess.RunCommandAsync(gateway, Overlay(For("gateway"), settings["gateway"]), "staff", "add", "Failover Tester", "--role", "editor");
        await RestartAllWithAsync(settings);
        // (After commitments has started: it makes its schema.)
        await ServiceProcess.RunCommandAsync(CommitmentsDll,
            Overlay(new Dictionary<string, string>(For("commitments")) { ["InternalAuth__SigningKey"] = "" }, settings["commitments"]), "seed");
    }

    private string _singleStaffToken = "";

    /// <summary>The services back on the single PostgreSQL; the Patroni cluster stopped.</summary>
    public async Task UseSinglePostgresAsync()
    {
        await RestartAllWithAsync(null);
        if (_singleStaffToken.Length > 0) StaffToken = _singleStaffToken;
        if (PatroniBase != 0) await LibAsync($"patroni_cluster_stop '{PatroniDir}' {PatroniNodes}");
        PatroniBase = 0;
    }

    /// <summary>The node (1..<see cref="PatroniNodes"/>) whose PostgreSQL is the primary, 0 when none is.</summary>
    public async Task<int> PatroniLeaderAsync()
    {
        try { return int.Parse(await LibAsync($"patroni_leader {PatroniBase} {PatroniNodes}")); }
        catch (InvalidOperationException) { return 0; }
    }

    /// <summary>The cluster's members as Patroni reports them: "name role state port" per line.</summary>
    public Task<string> PatroniStateAsync(int node) => LibAsync($"patroni_cluster_state {PatroniBase} {node}");

    /// <summary>The loss of node <paramref name="node"/>: Patroni, its PostgreSQL and every backend SIGKILLed at once.</summary>
    public Task KillPatroniNodeAsync(int node) => LibAsync($"patroni_node_kill '{PatroniDir}' {node}");

    /// <summary>psql as the superuser on node <paramref name="node"/>, one query, unaligned tuples.</summary>
    public Task<string> PatroniQueryAsync(int node, string database, string sql) =>
        LibAsync($"pg_psql '{PatroniDir}/postgres' $(patroni_pg_port {PatroniBase} {node}) -d {database} -tAc '{sql.Replace("'", "'\\''")}'");

    private static Dictionary<string, string> Overlay(Dictionary<string, string> usual, Dictionary<string, string>? settings)
    {
        var environment = new Dictionary<string, string>(usual);
        if (settings is not null) foreach (var (key, value) in settings) environment[key] = value;
        return environment;
    }

    /// <summary>Stops the three services and starts them again, each with its <paramref name="settings"/> over the usual ones.</summary>
    private async Task RestartAllWithAsync(Dictionary<string, Dictionary<string, string>>? settings)
    {
        foreach (var service in new[] { _gateway, _notifications, _commitments }) if (service is not null) await service.DisposeAsync();
        Dictionary<string, string> With(Dictionary<string, string> usual, string service)
        {
            var environment = new Dictionary<string, string>(usual);
            if (settings is not null) foreach (var (key, value) in settings[service]) environment[key] = value;
            return environment;
        }
        _commitments = ServiceProcess.Start(CommitmentsDll, With(_commitmentsEnvironment, "commitments"));
        _notifications = ServiceProcess.Start(NotificationsDll, With(_notificationsEnvironment, "notifications"));
        _gateway = ServiceProcess.Start(ServiceProcess.DllPath("gateway", "R2PTracker.Gateway"), With(_gatewayEnvironment, "gateway"));
        foreach (var url in new[] { CommitmentsUrl, NotificationsUrl, GatewayUrl }) await WaitReadyAsync(url);
    }

    public string ServiceOutput => string.Join("\n----\n", new[] { _commitments, _notifications, _gateway }.Select(s => s?.Output));

    /// <summary>Runs a function of deploy/local/lib.sh and returns its standard output.</summary>
    private static async Task<string> LibAsync(string command)
    {
        var lib = Path.Combine(TestEnvironment.RepositoryRoot(), "deploy", "local", "lib.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"source '{lib}' && {command}");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0) throw new InvalidOperationException($"'{command}' exited {process.ExitCode}: {await stderr}");
        return (await stdout).Trim();
    }

    private Task WaitReadyAsync(string url) => ServiceProcess.WaitReadyAsync(url, () => ServiceOutput);


    public HttpClient Gateway() => new() { BaseAddress = new Uri(GatewayUrl) };

    public HttpClient StaffThroughGateway()
    {
        var client = Gateway();
        client.DefaultRequestHeaders.Authorization = new("Bearer", StaffToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in new[] { _gateway, _notifications, _commitments, _defaultNotifications?.Process })
        {
            if (service is not null) await service.DisposeAsync();
        }
        try { await StopRabbitAsync(); } catch (InvalidOperationException) { }
        if (ClusterBase != 0) try { await LibAsync($"rabbit_cluster_stop '{ClusterDir}' {ClusterBase}"); } catch (InvalidOperationException) { }
        if (PatroniBase != 0) try { await LibAsync($"patroni_cluster_stop '{PatroniDir}' {PatroniNodes}"); } catch (InvalidOperationException) { }
        try { await StopPostgresAsync(); } catch (InvalidOperationException) { }
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
