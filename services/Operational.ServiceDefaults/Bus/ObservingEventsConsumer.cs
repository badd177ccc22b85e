using MassTransit;
using Microsoft.Extensions.Logging;
using Operational.Contracts.Events;

namespace Operational.ServiceDefaults.Bus;

/// <summary>A service that consumes the ingested events from its own queue.</summary>
public interface IEventSubscriber
{
    static abstract string QueueName { get; }
}

/// <summary>
/// Consumes ingested batches and only logs them: the stand-in for a service whose own
/// processing has not been built yet, so that its queue, bindings and health are real.
/// </summary>
public sealed class ObservingEventsConsumer<TService>(ILogger<ObservingEventsConsumer<TService>> logger) : IConsumer<EventsIngested>
    where TService : IEventSubscriber
{
    public Task Consume(ConsumeContext<EventsIngested> context)
    {
        logger.LogDebug("{Queue} received batch {BatchId} with {Count} events", TService.QueueName, context.Message.BatchId, context.Message.Events.Count);
        return Task.CompletedTask;
    }
}

public sealed class ObservingEventsConsumerDefinition<TService> : ConsumerDefinition<ObservingEventsConsumer<TService>>
    where TService : IEventSubscriber
{
    public ObservingEventsConsumerDefinition() => EndpointName = TService.QueueName;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ObservingEventsConsumer<TService>> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseOperationalConsumeResilience();
}
