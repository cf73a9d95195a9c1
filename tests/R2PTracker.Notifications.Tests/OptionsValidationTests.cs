using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using R2PTracker.Notifications.Delivery;
using R2PTracker.Notifications.Email;
using R2PTracker.Notifications.Hosting;
using R2PTracker.Notifications.Subscriptions;
using R2PTracker.Notifications.Webhooks;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class OptionsValidationTests
{
    private static T Bind<T>(string section, Dictionary<string, string?> settings) where T : class, IValidatedOptions
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddValidatedOptions<T>(section);
        return services.BuildServiceProvider().GetRequiredService<T>();
    }

    [Fact]
    public void The_shipped_appsettings_are_the_defaults_and_valid()
    {
        var settings = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();
        var delivery = settings.GetSection("Delivery").Get<DeliveryOptions>()!;
        delivery.Problems().ShouldBeEmpty();
        delivery.RetryDelays.ShouldBe(new DeliveryOptions().RetryDelays);
        delivery.DisableAfter.ShouldBe(new DeliveryOptions().DisableAfter);
        var webhooks = settings.GetSection("Webhooks").Get<WebhookOptions>()!;
        webhooks.Problems().ShouldBeEmpty();
        webhooks.VerificationTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        webhooks.MaxPerHost.ShouldBe(new WebhookOptions().MaxPerHost);
        webhooks.MaxPerClient.ShouldBe(new WebhookOptions().MaxPerClient);
        var email = settings.GetSection("Email").Get<EmailOptions>()!;
        email.Problems().ShouldBeEmpty();
        email.UnconfirmedLifetime.ShouldBe(new EmailOptions().UnconfirmedLifetime);
        email.ConfirmLinkLifetime.ShouldBe(new EmailOptions().ConfirmLinkLifetime);
        email.MaxConfirmationsPerDay.ShouldBe(new EmailOptions().MaxConfirmationsPerDay);
        settings.GetSection("ForwardedHeaders").Get<ForwardedHeadersOptions>()!.KnownNetworks.ShouldBe(ForwardedHeadersOptions.DefaultNetworks);
    }

    [Theory]
    [InlineData("Delivery:RetryDelays", "five seconds")]
    [InlineData("Delivery:Jitter", "1.5")]
    [InlineData("Delivery:AttemptTimeout", "00:00:00")]
    [InlineData("Delivery:Parallelism", "0")]
    public void A_bad_delivery_setting_fails_at_start_naming_it(string key, string value)
    {
        var failure = Should.Throw<OptionsValidationException>(() => Bind<DeliveryOptions>("Delivery", new() { [key] = value }));
        failure.Message.ShouldContain(key.Split(':')[1]);
    }

    [Theory]
    [InlineData("Email:Security", "Maybe")]
    [InlineData("Email:UnconfirmedLifetime", "1.00:00:00")] // shorter than the 2-day confirmation link
    [InlineData("Email:MaxConfirmationsPerDay", "0")]
    [InlineData("Email:PublicBaseUrl", "gateway")]
    public void A_bad_email_setting_fails_at_start(string key, string value) =>
        Should.Throw<OptionsValidationException>(() => Bind<EmailOptions>("Email", new() { [key] = value }));

    [Theory]
    [InlineData("Webhooks:VerificationTimeout", "00:05:00")]
    [InlineData("Webhooks:MaxPerHost", "0")]
    public void A_bad_webhook_setting_fails_at_start(string key, string value) =>
        Should.Throw<OptionsValidationException>(() => Bind<WebhookOptions>("Webhooks", new() { [key] = value }));

    [Fact]
    public void A_bad_trusted_proxy_network_fails_at_start() =>
        Should.Throw<OptionsValidationException>(() => Bind<ForwardedHeadersOptions>("ForwardedHeaders", new() { ["ForwardedHeaders:KnownNetworks"] = "gateway" }));
}
