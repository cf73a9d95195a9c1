using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>
/// deploy/k8s, rendered with kubectl's own kustomize (offline; no cluster here), with the committed
/// *.example files standing in for the git-ignored secret files.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] Services = ["commitments", "notifications", "gateway"];

    /// <summary>Rendered once for the class; the tests only read it.</summary>
    private static readonly Lazy<Task<List<Dictionary<object, object>>>> Rendered = new(RenderAsync);

    private static async Task<List<Dictionary<object, object>>> RenderAsync()
    {
        var copy = Directory.CreateTempSubdirectory("r2p-k8s-");
        try
        {
            foreach (var file in Directory.GetFiles(DeployFiles.PathOf("deploy/k8s")))
                File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            foreach (var example in Directory.GetFiles(copy.FullName, "*.example"))
                File.Copy(example, example[..^".example".Length], overwrite: true);
            return DeployFiles.Documents(await DeployFiles.RunAsync("kubectl", ["kustomize", copy.FullName], copy.FullName));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static Dictionary<object, object> Single(List<Dictionary<object, object>> documents, string kind, string name) =>
        documents.Single(d => d.Text("kind") == kind && d.Text("metadata", "name") == name);

    /// <summary>The keys of a generated ConfigMap or Secret, by its name as rendered (with kustomize's hash suffix) or as written.</summary>
    private static Dictionary<object, object> Data(List<Dictionary<object, object>> documents, string kind, string name) =>
        (Dictionary<object, object>)documents.Single(d => d.Text("kind") == kind
            && (d.Text("metadata", "name") == name || d.Text("metadata", "name")!.StartsWith(name + "-"))).At("data")!;

    /// <summary>What a workload's first container is given: the keys of every ConfigMap and Secret it takes whole, and its own env.</summary>
    private static (HashSet<string> FromSecrets, HashSet<string> FromSettings, HashSet<string> Own) Given(List<Dictionary<object, object>> documents, string kind, string name)
    {
        var container = Single(documents, kind, name).At("spec", "template", "spec", "containers", 0);
        HashSet<string> secrets = [], settings = [];
        foreach (var source in container.Items("envFrom"))
        {
            if (source.Text("secretRef", "name") is { } secret) secrets.UnionWith(Data(documents, "Secret", secret).Keys.Cast<string>());
            if (source.Text("configMapRef", "name") is { } map) settings.UnionWith(Data(documents, "ConfigMap", map).Keys.Cast<string>());
        }
        var own = container.Items("env").Where(e => !string.IsNullOrEmpty(e.Text("value")) || e.At("valueFrom") is not null).Select(e => e.Text("name")!).ToHashSet();
        return (secrets, settings, own);
    }

    [Fact]
    public async Task Every_service_runs_from_its_image_with_probes_on_the_health_endpoints_that_keep_it_in_service_through_a_broker_outage()
    {
        var documents = await Rendered.Value;
        foreach (var service in Services)
        {
            var container = Single(documents, "Deployment", service).At("spec", "template", "spec", "containers", 0);
            container.Text("image").ShouldBe($"r2p-tracker/{service}:local");
            container.Text("startupProbe", "httpGet", "path").ShouldBe("/health/ready");
            container.Text("readinessProbe", "httpGet", "path").ShouldBe("/health/serving");
            container.Text("livenessProbe", "httpGet", "path").ShouldBe("/health/live");
            container.Text("readinessProbe", "httpGet", "port").ShouldBe("8080");
            // The Service in front of it reaches the pods of this Deployment on the port the image listens on.
            var front = Single(documents, "Service", service);
            front.Text("spec", "selector", "app.kubernetes.io/name").ShouldBe(service);
            front.Text("spec", "ports", 0, "port").ShouldBe("8080");
            Single(documents, "Deployment", service).Text("spec", "template", "metadata", "labels", "app.kubernetes.io/name").ShouldBe(service);
        }
        Single(documents, "Namespace", "r2p-tracker").ShouldNotBeNull();
        documents.Where(d => d.Text("kind") != "Namespace").ShouldAllBe(d => d.Text("metadata", "namespace") == "r2p-tracker");
    }

    [Fact]
    public async Task Every_service_runs_more_than_once()
    {
        // What makes that safe is tested elsewhere: two commitments and two notifications instances
        // (FaultTests), two gateway instances (GatewayScaleOutTests), simultaneous writes to one
        // pledge (Commitments.Tests).
        var documents = await Rendered.Value;
        foreach (var service in Services)
            int.Parse(Single(documents, "Deployment", service).Text("spec", "replicas")!).ShouldBeGreaterThanOrEqualTo(2, service);
    }

    [Fact]
    public async Task Every_setting_the_local_start_gives_a_service_reaches_it_in_the_cluster_and_no_secret_reaches_another()
    {
        var documents = await Rendered.Value;
        var settings = Data(documents, "ConfigMap", "r2p-settings");
        foreach (var service in Services)
        {
            var (fromSecrets, fromSettings, own) = Given(documents, "Deployment", service);
            var local = DeployFiles.LocalSettingsFor(service);
            foreach (var setting in local)
                (fromSecrets.Contains(setting) || fromSettings.Contains(setting) || own.Contains(setting)).ShouldBeTrue($"{service} does not get {setting}");
            // Secrets: exactly what up.sh gives this service, nothing of another's.
            fromSecrets.ShouldAllBe(key => local.Contains(key), $"{service} is given a secret up.sh does not give it");
        }
        // The seed runs as commitments' role, without the internal key.
        var seed = Given(documents, "Job", "seed");
        seed.FromSecrets.Order().ShouldBe(["ConnectionStrings__Postgres", "ConnectionStrings__RabbitMq"]);
        // Addresses between services are the Services' names on the image's port.
        settings["ReverseProxy__Clusters__commitments__Destinations__primary__Address"].ShouldBe("http://commitments:8080/");
        settings["ReverseProxy__Clusters__notifications__Destinations__primary__Address"].ShouldBe("http://notifications:8080/");
        settings["Email__SmtpHost"].ShouldBe("maildev");
        // Behind the Ingress, the gateway believes forwarded headers from these networks: each must parse.
        foreach (var network in settings["ForwardedHeaders__KnownNetworks"].ToString()!.Split(','))
            System.Net.IPNetwork.TryParse(network.Trim(), out _).ShouldBeTrue(network);
    }

    [Fact]
    public async Task The_seed_job_runs_the_commitments_image_with_seed_and_the_servers_take_their_passwords_from_secrets_of_their_own()
    {
        var documents = await Rendered.Value;
        var seed = Single(documents, "Job", "seed").At("spec", "template", "spec", "containers", 0);
        seed.Text("image").ShouldBe("r2p-tracker/commitments:local");
        seed.Items("args").ShouldBe(["seed"]);

        // The servers take their passwords whole from secrets of their own, and no service is given those.
        foreach (var server in new[] { "postgres", "rabbitmq" })
            Given(documents, "StatefulSet", server).FromSecrets.ShouldNotBeEmpty(server);
    }

    [Fact]
    public async Task The_log_signing_key_is_a_secret_of_its_own_mounted_into_commitments_alone()
    {
        var documents = await Rendered.Value;
        var secret = documents.Single(d => d.Text("kind") == "Secret" && d.Text("metadata", "name")!.StartsWith("r2p-log-signing-key-"));
        var name = secret.Text("metadata", "name")!;
        ((Dictionary<object, object>)secret.At("data")!).Keys.Cast<string>().ShouldBe(["signing-key"]);
        foreach (var service in Services)
        {
            var pod = Single(documents, "Deployment", service).At("spec", "template", "spec");
            var mounts = pod.Items("volumes").Where(v => v.Text("secret", "secretName") == name).ToList();
            if (service == "commitments")
            {
                mounts.Count.ShouldBe(1);
                var path = pod.Items("containers", 0, "volumeMounts").Single(m => m.Text("name") == mounts[0].Text("name")).Text("mountPath");
                pod.Items("containers", 0, "env").Single(e => e.Text("name") == "Log__SigningKeyFile").Text("value").ShouldBe(path + "/signing-key");
            }
            else mounts.ShouldBeEmpty($"{service} mounts the log's key");
        }
        // No other secret carries it either.
        documents.Where(d => d.Text("kind") == "Secret" && !d.Text("metadata", "name")!.StartsWith("r2p-log-signing-key-"))
            .SelectMany(d => ((Dictionary<object, object>)d.At("data")!).Keys.Cast<string>()).ShouldNotContain(k => k.StartsWith("Log__"));
    }

    [Fact]
    public async Task RabbitMQ_runs_three_nodes_that_find_each_other_through_a_headless_service_and_share_one_cookie()
    {
        var documents = await Rendered.Value;
        var broker = Single(documents, "StatefulSet", "rabbitmq");
        int.Parse(broker.Text("spec", "replicas")!).ShouldBe(3);
        // (Parallel: after a full stop each node waits for the others it last saw.)
        broker.Text("spec", "podManagementPolicy").ShouldBe("Parallel");

        // The nodes' names are the pods' stable names under the headless Service the StatefulSet is governed by.
        var headless = Single(documents, "Service", broker.Text("spec", "serviceName")!);
        headless.Text("spec", "clusterIP").ShouldBe("None");
        headless.Text("spec", "publishNotReadyAddresses").ShouldBe("true");
        headless.Text("spec", "selector", "app.kubernetes.io/name").ShouldBe(broker.Text("spec", "template", "metadata", "labels", "app.kubernetes.io/name"));
        headless.Items("spec", "ports").Select(p => p.Text("port")).ShouldBe(["5672", "4369", "25672"], ignoreOrder: true);
        var container = broker.At("spec", "template", "spec", "containers", 0);
        var env = container.Items("env").ToDictionary(e => e.Text("name")!, e => e.Text("value"));
        env["RABBITMQ_USE_LONGNAME"].ShouldBe("true");
        var suffix = $".{headless.Text("metadata", "name")}.r2p-tracker.svc.cluster.local";
        env["RABBITMQ_NODENAME"].ShouldBe($"rabbit@$(POD_NAME){suffix.Replace("r2p-tracker", "$(POD_NAMESPACE)")}");

        // Peer discovery: the k8s plugin enabled, reading that Service's endpoints, naming nodes as above.
        var config = Single(documents, "ConfigMap", "rabbitmq-config");
        config.Text("data", "enabled_plugins")!.ShouldContain("rabbitmq_peer_discovery_k8s");
        var conf = config.Text("data", "rabbitmq.conf")!.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim());
        conf["cluster_formation.peer_discovery_backend"].ShouldBe("rabbit_peer_discovery_k8s");
        conf["cluster_formation.k8s.service_name"].ShouldBe(headless.Text("metadata", "name"));
        conf["cluster_formation.k8s.address_type"].ShouldBe("hostname");
        conf["cluster_formation.k8s.hostname_suffix"].ShouldBe(suffix);
        var volumes = broker.Items("spec", "template", "spec", "volumes").ToDictionary(v => v.Text("name")!);
        container.Items("volumeMounts").Where(m => m.Text("subPath") is "rabbitmq.conf" or "enabled_plugins")
            .Select(m => (m.Text("mountPath"), volumes[m.Text("name")!].Text("configMap", "name")))
            .ShouldBe([("/etc/rabbitmq/rabbitmq.conf", "rabbitmq-config"), ("/etc/rabbitmq/enabled_plugins", "rabbitmq-config")], ignoreOrder: true);

        // The plugin may read the endpoints, as the pods' service account and with no more rights.
        var account = broker.Text("spec", "template", "spec", "serviceAccountName")!;
        var binding = documents.Single(d => d.Text("kind") == "RoleBinding" && d.Items("subjects").Any(s => s.Text("name") == account));
        var role = Single(documents, "Role", binding.Text("roleRef", "name")!);
        role.Items("rules").Single().Items("resources").ShouldBe(["endpoints"]);
        role.Items("rules").Single().Items("verbs").ShouldBe(["get"]);

        // One Erlang cookie for the three, from the broker's secret, which no service is given.
        Given(documents, "StatefulSet", "rabbitmq").FromSecrets.ShouldContain("R2P_RABBITMQ_ERLANG_COOKIE");
        foreach (var service in Services)
            Given(documents, "Deployment", service).FromSecrets.ShouldNotContain("R2P_RABBITMQ_ERLANG_COOKIE");

        // The services are given every node, each by its stable name.
        var nodes = Data(documents, "ConfigMap", "r2p-settings")["RabbitMq__ClusterNodes"].ToString()!.Split(',');
        nodes.ShouldBe(Enumerable.Range(0, 3).Select(i => $"rabbitmq-{i}.{headless.Text("metadata", "name")}:5672"));
        // A drain takes at most one node: two of three keep each quorum queue's majority.
        var budget = documents.Single(d => d.Text("kind") == "PodDisruptionBudget" && d.Text("spec", "selector", "matchLabels", "app.kubernetes.io/name") == "rabbitmq");
        budget.Text("spec", "maxUnavailable").ShouldBe("1");
    }
}
