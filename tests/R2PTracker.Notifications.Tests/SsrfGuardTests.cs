using System.Net;
using Microsoft.Extensions.DependencyInjection;
using R2PTracker.Notifications.Security;
using R2PTracker.Notifications.Webhooks;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class SsrfGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly UrlGuard Default = new(new WebhookOptions());
    private static readonly UrlGuard LoopbackAllowed = new(new WebhookOptions { AllowLoopback = true });

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.0.170")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.254")]
    [InlineData("192.0.2.10")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b::10.0.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("::10.0.0.1")]
    [InlineData("::93.184.216.34")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2002:a00:1::1")]
    [InlineData("2002:a9fe:a9fe::")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("2001::1")]
    [InlineData("64:ff9b:1::a00:1")]
    [InlineData("64:ff9b:1::5db8:d822")]
    [InlineData("2001:db8::1")]
    public void Non_public_addresses_are_refused_by_default(string address) =>
        Default.Refusal(IPAddress.Parse(address)).ShouldNotBeNull();

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("1.1.1.1")]
    [InlineData("192.0.1.1")]
    [InlineData("198.20.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2002:5db8:d822::1")] // 6to4 of 93.184.216.34
    [InlineData("64:ff9b::93.184.216.34")]
    [InlineData("2001:4860:4860::8888")] // in 2001::/16 but not Teredo
    public void Public_addresses_are_allowed(string address) => Default.Refusal(IPAddress.Parse(address)).ShouldBeNull();

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("169.254.169.254", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("2002:7f00:1::1", false)]
    [InlineData("64:ff9b::127.0.0.1", false)]
    public void Allowing_loopback_allows_only_loopback_itself(string address, bool allowed) =>
        (LoopbackAllowed.Refusal(IPAddress.Parse(address)) is null).ShouldBe(allowed);

    [Theory]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::127.0.0.1]/")]
    [InlineData("http://[64:ff9b:1::a00:1]/")]
    [InlineData("http://localhost/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:pass@example.org/")]
    public async Task The_issue_s_refusals_are_refused_at_subscribe_time(string url) =>
        (await Default.CheckUrlAsync(url, Ct)).ShouldNotBeNull();

    [Theory]
    [InlineData("http://10.1.2.3/", "10.1.2.3")]
    [InlineData("http://[fd00::5]/", "fd00")]
    [InlineData("http://localhost:8082/", "127.0.0.1")]
    public async Task A_refusal_names_no_address(string url, string address)
    {
        var refusal = (await Default.CheckUrlAsync(url, Ct)).ShouldNotBeNull();
        refusal.ShouldNotContain(address);
        refusal.ShouldNotContain("::1");
    }

    [Fact]
    public async Task The_connect_time_check_refuses_a_loopback_address_even_if_the_url_passed_before()
    {
        // As after DNS rebinding: the name now resolves to a refused address. Nothing reaches the receiver.
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.BaseUrl.Replace("127.0.0.1", "localhost") + "/hook";
        (await LoopbackAllowed.CheckUrlAsync(url, Ct)).ShouldBeNull();
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = Default.ConnectAsync, AllowAutoRedirect = false });

        var failure = await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync(url, new StringContent("{}"), Ct));

        (failure as AddressRefusedException ?? failure.InnerException as AddressRefusedException).ShouldNotBeNull();
        receiver.Attempts.ShouldBe(0);
        using var allowed = new HttpClient(new SocketsHttpHandler { ConnectCallback = LoopbackAllowed.ConnectAsync });
        (await allowed.PostAsync(url, new StringContent("{}"), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

/// <summary>The service's own webhook client, as registered: the settings that keep it inside the guard.</summary>
public class WebhookClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient ServiceClient(WebhookOptions options)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(options);
        services.AddSingleton<UrlGuard>();
        services.AddWebhookHttpClient();
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient(WebhookHttp.ClientName);
    }

    [Fact]
    public async Task A_name_that_resolves_to_a_refused_address_at_connect_time_is_not_dialled()
    {
        // The subscribe-time check is long past; "localhost" now resolves to loopback, which this configuration refuses.
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = ServiceClient(new WebhookOptions());

        var failure = await Should.ThrowAsync<HttpRequestException>(() =>
            client.PostAsync(receiver.BaseUrl.Replace("127.0.0.1", "localhost") + "/hook", new StringContent("{}"), Ct));

        (failure as AddressRefusedException ?? failure.InnerException as AddressRefusedException).ShouldNotBeNull();
        receiver.Attempts.ShouldBe(0);
    }

    [Fact]
    public async Task A_redirect_is_answered_to_the_caller_and_never_followed()
    {
        await using var target = await WebhookReceiver.StartAsync();
        await using var redirecting = await WebhookReceiver.StartAsync();
        redirecting.RedirectTo = target.BaseUrl + "/inside";
        using var client = ServiceClient(new WebhookOptions { AllowLoopback = true });

        using var response = await client.PostAsync(redirecting.BaseUrl + "/hook", new StringContent("{}"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.TemporaryRedirect);
        redirecting.Attempts.ShouldBe(1);
        target.Attempts.ShouldBe(0);
    }
}
