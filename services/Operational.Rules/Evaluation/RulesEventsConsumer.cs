using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.Rules.Alerts;
using Operational.Rules.Matching;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Bus.DeadLetters;

namespace Operational.Rules.Evaluation;

/// <summary>Evaluates the ingested events against the rules, for all the bus messages that arrived together.</summary>
public sealed class RuleEventsHandler(RuleEvaluator evaluator, RuleBook book, AlertsQueued queued, TimeProvider clock) : IIngestedEventsHandler
{
    public string Queue => EventSubscriberQueues.Rules;

    public bool Wants(IngestedEvent e) => book.MayHaveRules(e.ProjectId);

    public async Task HandleAsync(IReadOnlyList<EventsIngested> messages, CancellationToken cancellationToken)
    {
        if (await evaluator.EvaluateAsync(messages.SelectMany(m => m.Events).ToList(), clock.GetUtcNow(), cancellationToken))
        {
            queued.Notify();
        }
    }
}

/// <summary>The ingested batches from RabbitMQ (or a replay), as many as arrived together, to <see cref="RuleEventsHandler"/>.</summary>
public sealed class RulesEventsConsumer(RuleEventsHandler handler, IDeadLetters deadLetters, ILogger<RulesEventsConsumer> logger)
    : IConsumer<Batch<EventsIngested>>
{
    public Task Consume(ConsumeContext<Batch<EventsIngested>> context) => context.HandleIsolatingPoisonAsync(handler, deadLetters, logger);
}

public sealed class RulesEventsConsumerDefinition : ConsumerDefinition<RulesEventsConsumer>
{
    public const int MessageLimit = 64;

    public RulesEventsConsumerDefinition() => EndpointName = EventSubscriberQueues.Rules;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RulesEventsConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.ConsumeInBatches(consumerConfigurator, MessageLimit, context);
        // Bound per project with rules by ProjectRouting.
        endpointConfigurator.ConsumeRoutedEvents(EventSubscriberQueues.Rules);
    }
}
