using MassTransit;
using R2PTracker.Contracts;
using R2PTracker.Notifications.Pledges;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Notifications.Delivery;

public sealed class PledgeStatusChangedConsumer(FanOut fanOut) : IConsumer<PledgeStatusChanged>
{
    public Task Consume(ConsumeContext<PledgeStatusChanged> context) => fanOut.RecordAsync(context.Message, FanOutConsumerDefinition.WaitForRegistration(context), context.CancellationToken);
}

/// <summary>A verdict proposed for review: alerts only the subscriptions that asked for proposal.opened (see SubscribeSlice.OptInEventTypes).</summary>
public sealed class PledgeStatusProposedConsumer(FanOut fanOut) : IConsumer<PledgeStatusProposed>
{
    public Task Consume(ConsumeContext<PledgeStatusProposed> context) => fanOut.RecordAsync(context.Message, FanOutConsumerDefinition.WaitForRegistration(context), context.CancellationToken);
}

public sealed class MilestoneLoggedConsumer(FanOut fanOut) : IConsumer<MilestoneLogged>
{
    public Task Consume(ConsumeContext<MilestoneLogged> context) => fanOut.RecordAsync(context.Message, FanOutConsumerDefinition.WaitForRegistration(context), context.CancellationToken);
}

/// <summary>Keeps the pledge profile (country, actor) used by filters, then alerts.</summary>
public sealed class PledgeRegisteredConsumer(FanOut fanOut, PledgeProfiles profiles) : IConsumer<PledgeRegistered>
{
    public async Task Consume(ConsumeContext<PledgeRegistered> context)
    {
        await profiles.RegisteredAsync(context.Message, context.CancellationToken);
        await fanOut.RecordAsync(context.Message, false, context.CancellationToken);
    }
}

/// <summary>
/// Keeps the pledge profile current (a revised actor), so actor filters follow the record. No alert:
/// there is no webhook type for a revision. A revision seen before its pledge's registration is
/// retried until the registration has landed.
/// </summary>
public sealed class PledgeDetailsRevisedConsumer(PledgeProfiles profiles) : IConsumer<PledgeDetailsRevised>
{
    public async Task Consume(ConsumeContext<PledgeDetailsRevised> context)
    {
        if (!await profiles.RevisedAsync(context.Message, context.CancellationToken))
            throw new PledgeNotKnownYetException(context.Message.PledgeId);
    }
}

/// <summary>
/// Keeps the titles of the pledge profile in each language, so that alerts name a pledge in the
/// subscriber's language. No alert of its own. A translation seen before its pledge's registration
/// is retried until the registration has landed; one of another text than the title changes nothing.
/// </summary>
public sealed class PledgeTranslationAddedConsumer(PledgeProfiles profiles) : IConsumer<PledgeTranslationAdded>
{
    public async Task Consume(ConsumeContext<PledgeTranslationAdded> context)
    {
        if (context.Message.Target != "title") return;
        if (!await profiles.TranslatedAsync(context.Message, context.CancellationToken))
            throw new PledgeNotKnownYetException(context.Message.PledgeId);
    }
}

public static class FanOutConsumerDefinition
{
    /// <summary>Retries spent waiting for a pledge's registration before filters go without it (about 4 s).</summary>
    public const int RegistrationRetries = 3;

    public static bool WaitForRegistration(ConsumeContext context) => context.GetRetryAttempt() < RegistrationRetries;
}

/// <summary>
/// Recording deliveries only touches PostgreSQL, so a failure is transient (database restart, a
/// registration not seen yet): retry for a while before the message goes to the error queue.
/// (No delayed redelivery: the broker has no delayed-message plugin.)
/// </summary>
public sealed class FanOutConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        // Replicated, so that no single broker node holds the only copy of a change not yet fanned out.
        endpoint.UseQuorumQueue();
        endpoint.UseMessageRetry(r => r.Intervals(200, 1_000, 3_000, 10_000, 30_000, 60_000));
    }
}
