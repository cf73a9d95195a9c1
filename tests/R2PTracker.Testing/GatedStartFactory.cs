using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace R2PTracker.Testing;

/// <summary>
/// A service's own Program over extra settings (<paramref name="configure"/>), whose start waits until the
/// factory is listening for its outcome: for tests that a bad setting stops the start.
/// <para>
/// Program starts the host itself, on the entry point's thread, and a failed start disposes the host
/// (RunAsync) before the exception leaves Main. WebApplicationFactory's deferred host reads
/// host.Services when asked to start, to wait for ApplicationStarted or the entry point's exception:
/// when the entry point had already failed and disposed the host, that read threw
/// ObjectDisposedException ('IServiceProvider') and the exception naming the setting was lost (seen
/// in full runs, under load). Here the host's lifetime holds its start until the deferred host has
/// registered, so the start's exception is always the one reported.
/// </para>
/// </summary>
public sealed class GatedStartFactory<TEntryPoint>(Action<IWebHostBuilder> configure) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        configure(builder);
        builder.ConfigureServices(s => s.AddSingleton<IHostLifetime>(new GatedLifetime(_listening.Task)));
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = builder.Build();
        // The deferred host registers for the outcome before its first await, so once StartAsync
        // returns the entry point may start (and fail, and dispose the host).
        var started = host.StartAsync();
        _listening.TrySetResult();
        started.GetAwaiter().GetResult();
        return host;
    }

    public override async ValueTask DisposeAsync()
    {
        _listening.TrySetResult();
        await base.DisposeAsync();
    }

    /// <summary>Holds Host.StartAsync, which asks the lifetime first, before it resolves or starts any hosted service.</summary>
    private sealed class GatedLifetime(Task gate) : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken ct) => gate.WaitAsync(ct);

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
