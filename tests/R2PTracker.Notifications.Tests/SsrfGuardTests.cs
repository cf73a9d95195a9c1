using System.Net;
using R2PTracker.Notifications.Security;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class SsrfGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly UrlGuard Default = new(new WebhookNetworkOptions());
    private static readonly UrlGuard LoopbackAllowed = new(new WebhookNetworkOptions { AllowLoopback = true });

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
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    public void Non_public_addresses_are_refused_by_default(string address) =>
        Default.Refusal(IPAddress.Parse(address)).ShouldNotBeNull();

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("1.1.1.1")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_are_allowed(string address) => Default.Refusal(IPAddress.Parse(address)).ShouldBeNull();

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("169.254.169.254", false)]
    [InlineData("10.0.0.1", false)]
    public void Allowing_loopback_allows_only_loopback(string address, bool allowed) =>
        (LoopbackAllowed.Refusal(IPAddress.Parse(address)) is null).ShouldBe(allowed);

    [Theory]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://localhost/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:pass@example.org/")]
    public async Task The_issue_s_refusals_are_refused_at_subscribe_time(string url) =>
        (await Default.CheckUrlAsync(url, Ct)).ShouldNotBeNull();

    [Fact]
    public async Task The_connect_time_check_refuses_a_loopback_address_even_if_the_url_passed_before()
    {
        // As after DNS rebinding: the name now resolves to a refused address. Nothing reaches the receiver.
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.BaseUrl.Replace("127.0.0.1", "localhost") + "/hook";
        (await LoopbackAllowed.CheckUrlAsync(url, Ct)).ShouldBeNull();
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = Default.ConnectAsync, AllowAutoRedirect = false });

        var failure = await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync(url, new StringContent("{}"), Ct));

        failure.Message.ShouldContain("Refused");
        receiver.Attempts.ShouldBe(0);
        using var allowed = new HttpClient(new SocketsHttpHandler { ConnectCallback = LoopbackAllowed.ConnectAsync });
        (await allowed.PostAsync(url, new StringContent("{}"), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
