using System.Text.Json;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class WebhookPayloadReasonCodeTests
{
    [Fact]
    public void A_status_change_webhook_carries_the_verdicts_coded_reason_and_null_without_one()
    {
        var coded = Events.StatusChanged("kh-r2p-1", "Broken") with { ReasonCode = "NoFunding" };
        var data = JsonDocument.Parse(Webhooks.WebhookPayload.From(coded).ToJson()).RootElement.GetProperty("data");
        data.GetProperty("reasonCode").GetString().ShouldBe("NoFunding");

        var plain = JsonDocument.Parse(Webhooks.WebhookPayload.From(Events.StatusChanged("kh-r2p-1")).ToJson()).RootElement.GetProperty("data");
        plain.GetProperty("reasonCode").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
