using System.Xml.Linq;
using Shouldly;

namespace R2PTracker.EndToEnd.Tests;

/// <summary>Links the services write, read through the gateway: the public address, never the internal one.</summary>
public class PublicLinksThroughGatewayTests(Deployment deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    [Fact]
    public async Task Feed_links_through_the_gateway_point_at_the_gateway_and_entries_at_the_dashboard_page()
    {
        var xml = XDocument.Parse(await deployment.Gateway().GetStringAsync("/feeds/pledges/kh-r2p-focal-point.atom", Ct));
        var hrefs = xml.Descendants(Atom + "link").Select(l => (string)l.Attribute("href")!).ToList();
        hrefs.ShouldNotBeEmpty();
        hrefs.ShouldAllBe(h => h.StartsWith(deployment.GatewayUrl + "/"));
        hrefs.ShouldNotContain(h => h.StartsWith(deployment.CommitmentsUrl));
        xml.Descendants(Atom + "entry").First().Elements(Atom + "link").Single(l => (string?)l.Attribute("rel") == "alternate")
            .Attribute("href")!.Value.ShouldBe($"{deployment.GatewayUrl}/pledges/kh-r2p-focal-point");
    }
}
