using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace R2PTracker.Gateway.Tests;

/// <summary>
/// Another gateway host on the fixture's PostgreSQL and RabbitMQ, with settings of its own and both
/// backends pointed at a <see cref="RecordingBackend"/>. A request's client address is taken from
/// its <see cref="ClientHeader"/> (as a trusted proxy would give it), so tests of per-client limits
/// each have clients of their own.
/// </summary>
public sealed class GatewayVariant : IAsyncDisposable
{
    public const string ClientHeader = "X-Test-Client";

    private GatewayVariant(WebApplicationFactory<Program> factory, RecordingBackend backend)
    {
        Factory = factory;
        Backend = backend;
    }

    public WebApplicationFactory<Program> Factory { get; }

    private string? _kestrelAddress;

    public RecordingBackend Backend { get; }

    public static async Task<GatewayVariant> StartAsync(GatewayApp app, IReadOnlyDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null, bool kestrel = false)
    {
        var backend = await RecordingBackend.StartAsync();
        var factory = app.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("ReverseProxy:Clusters:commitments:Destinations:primary:Address", backend.Address);
            b.UseSetting("ReverseProxy:Clusters:notifications:Destinations:primary:Address", backend.Address);
            b.UseSetting("Proxy:GetAttempts", "1");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) b.UseSetting(key, value);
            b.ConfigureTestServices(s =>
            {
                s.AddSingleton<IStartupFilter, ClientFromHeader>();
                services?.Invoke(s);
            });
        });
        // Kestrel enforces what the test server does not: its limits on the body while it is read.
        if (kestrel) factory.UseKestrel(0);
        factory.StartServer();
        var variant = new GatewayVariant(factory, backend);
        if (kestrel)
            variant._kestrelAddress = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return variant;
    }

    /// <summary>A client (cookies kept, redirects not followed) that comes from <paramref name="address"/> (under Kestrel, loopback).</summary>
    public HttpClient Client(string address = "192.0.2.1", string baseAddress = "http://localhost")
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri(_kestrelAddress ?? baseAddress),
        });
        client.DefaultRequestHeaders.Add(ClientHeader, address);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Backend.DisposeAsync();
    }

    private sealed class ClientFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                if (IPAddress.TryParse(http.Request.Headers[ClientHeader], out var address)) http.Connection.RemoteIpAddress = address;
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}
