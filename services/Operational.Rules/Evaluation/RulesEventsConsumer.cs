using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.Rules.Alerts;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Bus.DeadLetters;

namespace Operational.Rules.Evaluation;

/// <summary>Evaluates the ingested events against the rules, for all the bus messages that arrived together.</summary>
public sealed class RulesEventsConsumer(RuleEvaluator evaluator, AlertsQueued queued, TimeProvider clock, IDeadLetters deadLetters, ILogger<RulesEventsConsumer> logger)
    : IConsumer<Batch<EventsIngested>>
{
    public Task Consume(ConsumeContext<Batch<EventsIngested>> context) =>
        context.HandleIsolatingPoisonAsync(async messages =>
        {
            if (await evaluator.EvaluateAsync(messages.SelectMany(m => m.Events).ToList(), clock.GetUtcNow(), context.CancellationToken))
            {
                queued.Notify();
            }
        }, deadLetters, logger);
}

public sealed class RulesEventsConsumerDefinition : ConsumerDefinition<RulesEventsConsumer>
{
    public const int MessageLimit = 64;

    public RulesEventsConsumerDefinition() => EndpointName = EventSubscriberQueues.Rules;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RulesEventsConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.ConsumeInBatches(consumerConfigurator, MessageLimit, context);
}
