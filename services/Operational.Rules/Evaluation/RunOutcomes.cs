using Operational.Contracts.Topology;
using System.Globalization;
using MassTransit;
using Operational.Contracts.Alerts;
using Operational.Contracts.Contexts;
using Operational.Rules.Alerts;
using Operational.Rules.Matching;
using Operational.ServiceDefaults.Bus;

namespace Operational.Rules.Evaluation;

/// <summary>
/// The end of a run a heartbeat rule watches (<c>maxRunSeconds</c>), as the contexts service
/// announces it: a completion resolves the run's overrun alert if one is open; a failure resolves
/// it too and fires an alert saying the run failed. The announcement can arrive before the rules
/// service has seen the run's start event (another queue): then the store remembers the ending and
/// the start settles the run instead of watching it (<see cref="IRuleRunStore"/>).
/// </summary>
public sealed class RunOutcomes(IRuleRunStore runStore, IAlertStore alerts, AlertKeeper keeper, RuleBook book)
{
    public async Task<bool> EndedAsync(ContextSnapshot context, bool failed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rules = await book.CurrentAsync(cancellationToken);
        var ending = new ContextEnding(context.ProjectId, context.ContextId, failed, context.LastEventAt);
        // Only a project with a rule watching runs can have a start event still on its way.
        var watched = rules.For(context.ProjectId).Any(r => r.MaxRun is not null);
        var runs = await runStore.EndRunsAsync(ending, remember: watched, cancellationToken);
        return await SettleAsync([.. runs.Select(r => new EndedRun(r, ending))], now, cancellationToken);
    }

    /// <summary>Resolves the ended runs' overrun alerts and fires the failed ones' alerts.</summary>
    public async Task<bool> SettleAsync(IReadOnlyList<EndedRun> ended, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ended.Count == 0)
        {
            return false;
        }

        var rules = await book.CurrentAsync(cancellationToken);
        var changed = false;
        foreach (var (run, ending) in ended)
        {
            if (rules.Find(run.RuleId) is not { } rule)
            {
                continue;
            }

            var took = (ending.LastEventAt - run.StartedAt).TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            var evidence = new AlertEvidence(ending.Failed ? $"Run {run.ContextId} failed after {took} s." : $"Run {run.ContextId} completed after {took} s.");
            foreach (var overrun in (await alerts.OpenAlertsAsync(rule.Id, cancellationToken)).Where(a => a.Alert.Group == run.ContextId))
            {
                changed |= await keeper.ResolveAsync(overrun.Alert.AlertId, now, evidence, cancellationToken);
            }

            // A job check's failure alerts from its fail ping, with the run's output (RuleEvaluator).
            if (ending.Failed && rule.Check is null)
            {
                changed |= await keeper.FireAsync(rule, run.ContextId, evidence, now, $"{rule.Id}:failed:{run.ContextId}", cancellationToken);
            }
        }

        return changed;
    }
}

/// <summary>Receives the contexts service's completions and failures for the runs heartbeat rules watch.</summary>
public sealed class ContextOutcomesConsumer(RunOutcomes outcomes, AlertsQueued queued, TimeProvider clock)
    : IConsumer<ContextCompleted>, IConsumer<ContextFailed>
{
    public Task Consume(ConsumeContext<ContextCompleted> context) => EndAsync(context.Message.Context, failed: false, context.CancellationToken);

    public Task Consume(ConsumeContext<ContextFailed> context) => EndAsync(context.Message.Context, failed: true, context.CancellationToken);

    private async Task EndAsync(ContextSnapshot context, bool failed, CancellationToken cancellationToken)
    {
        if (await outcomes.EndedAsync(context, failed, clock.GetUtcNow(), cancellationToken))
        {
            queued.Notify();
        }
    }
}

public sealed class ContextOutcomesConsumerDefinition : ConsumerDefinition<ContextOutcomesConsumer>
{
    public ContextOutcomesConsumerDefinition() => EndpointName = ConsumerQueues.RuleContextOutcomes;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ContextOutcomesConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseOperationalConsumeResilience(context);
}
