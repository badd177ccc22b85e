using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.Rules.Alerts;
using Operational.ServiceDefaults.Bus;

namespace Operational.Rules.Evaluation;

/// <summary>Evaluates the ingested events against the rules, for all the bus messages that arrived together.</summary>
public sealed class RulesEventsConsumer(RuleEvaluator evaluator, AlertsQueued queued, TimeProvider clock) : IConsumer<Batch<EventsIngested>>
{
    public async Task Consume(ConsumeContext<Batch<EventsIngested>> context)
    {
        var events = context.Message.SelectMany(m => m.Message.Events).ToList();
        if (await evaluator.EvaluateAsync(events, clock.GetUtcNow(), context.CancellationToken))
        {
            queued.Notify();
        }
    }
}

public sealed class RulesEventsConsumerDefinition : ConsumerDefinition<RulesEventsConsumer>
{
    public const int MessageLimit = 64;

    public RulesEventsConsumerDefinition() => EndpointName = EventSubscriberQueues.Rules;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RulesEventsConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.ConsumeInBatches(consumerConfigurator, MessageLimit);
}
