using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>Settings are bound and checked when the gateway starts; appsettings.json shows every default.</summary>
public class SettingsTests(GatewayApp app)
{
    private static IConfiguration AppSettings() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false).Build();

    public static TheoryData<Type, string> Areas => new()
    {
        { typeof(RateLimitOptions), RateLimitOptions.Section },
        { typeof(RequestBodyOptions), RequestBodyOptions.Section },
        { typeof(ImportOptions), ImportOptions.Section },
        { typeof(ProxyOptions), ProxyOptions.Section },
        { typeof(OutputCacheSettings), OutputCacheSettings.Section },
        { typeof(LiveOptions), LiveOptions.Section },
        { typeof(StaffSessionOptions), StaffSessionOptions.Section },
        { typeof(TransportSecurityOptions), TransportSecurityOptions.Section },
        { typeof(TrustedProxyOptions), TrustedProxyOptions.Section },
    };

    [Theory]
    [MemberData(nameof(Areas))]
    public void Appsettings_json_writes_out_every_default_of_each_area(Type options, string section)
    {
        var written = AppSettings().GetSection(section);
        var properties = options.GetProperties().Where(p => p.CanWrite).ToList();
        written.GetChildren().Select(c => c.Key).Order().ShouldBe(properties.Select(p => p.Name).Order(), $"the keys of {section}");
        JsonSerializer.Serialize(written.Get(options)).ShouldBe(JsonSerializer.Serialize(Activator.CreateInstance(options)), $"the defaults of {section}");
    }

    [Theory]
    [InlineData("RateLimits:PublicReadsPerMinute", "0")]
    [InlineData("Live:MaxConnections", "-1")]
    [InlineData("Live:KeepAliveInterval", "00:00:00")]
    [InlineData("StaffSessions:AbsoluteLifetime", "00:00:10")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/8,not-a-network")]
    [InlineData("RequestBody:MaxBytes", "0")]
    public void A_bad_setting_stops_the_start_and_names_itself(string key, string value)
    {
        // Gated: a start that fails before the factory listens would report ObjectDisposedException instead.
        // (The rest of its environment is the one GatewayApp sets for the process.)
        using var gateway = new GatedStartFactory<Program>(b => b.UseSetting("ConnectionStrings:Postgres", app.ConnectionString).UseSetting(key, value));
        var error = Should.Throw<OptionsValidationException>(() => gateway.Server);
        error.Message.ShouldContain(key.Split(':')[1]);
    }
}
