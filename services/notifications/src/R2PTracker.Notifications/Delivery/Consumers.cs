using MassTransit;
using R2PTracker.Contracts;

namespace R2PTracker.Notifications.Delivery;

public sealed class PledgeStatusChangedConsumer(FanOut fanOut) : IConsumer<PledgeStatusChanged>
{
    public Task Consume(ConsumeContext<PledgeStatusChanged> context) => fanOut.DeliverAsync(context.Message, context.CancellationToken);
}

public sealed class MilestoneLoggedConsumer(FanOut fanOut) : IConsumer<MilestoneLogged>
{
    public Task Consume(ConsumeContext<MilestoneLogged> context) => fanOut.DeliverAsync(context.Message, context.CancellationToken);
}

public sealed class PledgeRegisteredConsumer(FanOut fanOut) : IConsumer<PledgeRegistered>
{
    public Task Consume(ConsumeContext<PledgeRegistered> context) => fanOut.DeliverAsync(context.Message, context.CancellationToken);
}

/// <summary>Failed deliveries are retried a few times by MassTransit on top of the HTTP retries.</summary>
public sealed class FanOutConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Intervals(1_000, 5_000, 15_000));
    }
}
