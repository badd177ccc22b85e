using MassTransit;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Bus;

namespace Operational.Rules;

/// <summary>
/// The rules service as a module. For now it consumes the ingested events from its own
/// queue and logs them; its processing arrives with its own issue.
/// </summary>
public sealed class RulesService : IEventSubscriber
{
    public const string ServiceName = "rules";

    public static string QueueName => EventSubscriberQueues.Rules;
}

public static class RulesServiceExtensions
{
    public static IHostApplicationBuilder AddRulesService(this IHostApplicationBuilder builder) => builder;

    public static void AddRulesConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ObservingEventsConsumer<RulesService>, ObservingEventsConsumerDefinition<RulesService>>();

    public static IEndpointRouteBuilder MapRulesService(this IEndpointRouteBuilder endpoints) => endpoints;
}
