using MassTransit;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Bus;

namespace Operational.Contexts;

/// <summary>
/// The contexts service as a module. For now it consumes the ingested events from its own
/// queue and logs them; its processing arrives with its own issue.
/// </summary>
public sealed class ContextsService : IEventSubscriber
{
    public const string ServiceName = "contexts";

    public static string QueueName => EventSubscriberQueues.Contexts;
}

public static class ContextsServiceExtensions
{
    public static IHostApplicationBuilder AddContextsService(this IHostApplicationBuilder builder) => builder;

    public static void AddContextsConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ObservingEventsConsumer<ContextsService>, ObservingEventsConsumerDefinition<ContextsService>>();

    public static IEndpointRouteBuilder MapContextsService(this IEndpointRouteBuilder endpoints) => endpoints;
}
