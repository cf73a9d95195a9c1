using System.Diagnostics;
using System.Text;

namespace R2PTracker.Testing;

/// <summary>One service run from its build output as a separate process, as deploy/local runs it; a test may SIGKILL it.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process) => _process = process;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    public static string DllPath(string service, string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(TestEnvironment.RepositoryRoot(), "services", service, "src", project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first.", path);
    }

    private static ProcessStartInfo StartInfo(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return info;
    }

    public static ServiceProcess Start(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var process = new Process { StartInfo = StartInfo(dll, environment), EnableRaisingEvents = true };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (service._output) service._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (service._output) service._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>
    /// Starts another instance of a service on a free loopback port (its Urls set to it, the rest of
    /// <paramref name="environment"/> as given) and waits until it is ready.
    /// </summary>
    public static async Task<(ServiceProcess Process, string Url)> StartOnFreePortAsync(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var process = Start(dll, new Dictionary<string, string>(environment) { ["Urls"] = url });
        try
        {
            await WaitReadyAsync(url, () => process.Output);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return (process, url);
    }

    /// <summary>
    /// A client straight to a backend instance, carrying the internal JWT the gateway would mint for
    /// a staff member (what another gateway instance would send), a fresh one on every request.
    /// </summary>
    public static HttpClient InternalClient(string url, string signingKey, string staffName, string role) =>
        new(new FreshInternalToken(signingKey, staffName, role) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = new Uri(url) };

    public static async Task<string> RunCommandAsync(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(dll, environment, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(dll)} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        return (await stdout).Trim();
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>Polls {url}/health/ready for up to 90 s; on timeout, fails with the services' output.</summary>
    public static async Task WaitReadyAsync(string url, Func<string> output)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync(url + "/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{url} was not ready in 90 s. Output:\n" + output());
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
