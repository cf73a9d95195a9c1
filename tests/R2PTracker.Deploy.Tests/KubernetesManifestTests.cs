using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>
/// deploy/k8s, rendered with kubectl's own kustomize (offline; no cluster here), with the committed
/// secrets.env.example standing in for the git-ignored secrets.env.
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
            File.Copy(Path.Combine(copy.FullName, "secrets.env.example"), Path.Combine(copy.FullName, "secrets.env"), overwrite: true);
            File.Copy(Path.Combine(copy.FullName, "log-signing-key.example"), Path.Combine(copy.FullName, "log-signing-key"), overwrite: true);
            return DeployFiles.Documents(await DeployFiles.RunAsync("kubectl", ["kustomize", copy.FullName], copy.FullName));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static Dictionary<object, object> Single(List<Dictionary<object, object>> documents, string kind, string name) =>
        documents.Single(d => d.Text("kind") == kind && d.Text("metadata", "name") == name);

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
    public async Task Every_setting_the_local_start_gives_a_service_reaches_it_in_the_cluster()
    {
        var documents = await Rendered.Value;
        Dictionary<object, object> Data(string kind, string prefix) =>
            (Dictionary<object, object>)documents.Single(d => d.Text("kind") == kind && d.Text("metadata", "name")!.StartsWith(prefix)).At("data")!;
        var settings = Data("ConfigMap", "r2p-settings-");
        var secrets = Data("Secret", "r2p-secrets-");

        foreach (var (setting, readers) in DeployFiles.LocalSettings())
        {
            // A setting for one service alone may be set on its container.
            if (readers is [var only] && Single(documents, "Deployment", only).Items("spec", "template", "spec", "containers", 0, "env")
                    .Any(e => e.Text("name") == setting && !string.IsNullOrEmpty(e.Text("value"))))
                continue;
            (settings.ContainsKey(setting) || secrets.ContainsKey(setting)).ShouldBeTrue($"{setting} is neither in r2p-settings nor in r2p-secrets");
            foreach (var service in readers)
            {
                var sources = Single(documents, "Deployment", service).Items("spec", "template", "spec", "containers", 0, "envFrom")
                    .Select(s => s.Text("configMapRef", "name") ?? s.Text("secretRef", "name")).ToList();
                sources.ShouldContain(n => n!.StartsWith(settings.ContainsKey(setting) ? "r2p-settings-" : "r2p-secrets-"),
                    $"{service} does not get {setting}");
            }
        }
        // Addresses between services are the Services' names on the image's port.
        settings["ReverseProxy__Clusters__commitments__Destinations__primary__Address"].ShouldBe("http://commitments:8080/");
        settings["ReverseProxy__Clusters__notifications__Destinations__primary__Address"].ShouldBe("http://notifications:8080/");
        settings["Email__SmtpHost"].ShouldBe("maildev");
        // Behind the Ingress, the gateway believes forwarded headers from these networks: each must parse.
        foreach (var network in settings["ForwardedHeaders__KnownNetworks"].ToString()!.Split(','))
            System.Net.IPNetwork.TryParse(network.Trim(), out _).ShouldBeTrue(network);
    }

    [Fact]
    public async Task The_seed_job_runs_the_commitments_image_with_seed_and_every_secret_key_it_names_exists()
    {
        var documents = await Rendered.Value;
        var seed = Single(documents, "Job", "seed").At("spec", "template", "spec", "containers", 0);
        seed.Text("image").ShouldBe("r2p-tracker/commitments:local");
        seed.Items("args").ShouldBe(["seed"]);

        var secretKeys = ((Dictionary<object, object>)documents.Single(d => d.Text("kind") == "Secret" && d.Text("metadata", "name")!.StartsWith("r2p-secrets-"))
            .At("data")!).Keys.Cast<string>().ToHashSet();
        var named = documents.Where(d => d.Text("kind") == "StatefulSet")
            .SelectMany(d => d.Items("spec", "template", "spec", "containers", 0, "env"))
            .Select(e => e.Text("valueFrom", "secretKeyRef", "key")).OfType<string>().ToList();
        named.ShouldNotBeEmpty();
        named.ShouldAllBe(key => secretKeys.Contains(key));
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
        // The shared secret does not carry it either.
        ((Dictionary<object, object>)documents.Single(d => d.Text("kind") == "Secret" && d.Text("metadata", "name")!.StartsWith("r2p-secrets-")).At("data")!)
            .Keys.Cast<string>().ShouldNotContain(k => k.StartsWith("Log__"));
    }
}
