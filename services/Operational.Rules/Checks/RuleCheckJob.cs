using Operational.Rules.Alerts;
using Operational.Rules.Matching;

namespace Operational.Rules.Checks;

/// <summary>What Hangfire runs for a rule at each occurrence of its schedule.</summary>
public sealed class RuleCheckJob(RuleBook book, RuleChecks checks, AlertsQueued queued, TimeProvider clock)
{
    public async Task RunAsync(string ruleId, CancellationToken cancellationToken)
    {
        var rules = await book.CurrentAsync(cancellationToken);
        if (rules.Find(ruleId) is not { Enabled: true } rule)
        {
            return; // deleted or disabled since the schedule fired; its job is being removed
        }

        if (await checks.CheckAsync(rule, clock.GetUtcNow(), cancellationToken))
        {
            queued.Notify();
        }
    }
}

/// <summary>What Hangfire runs hourly: forgets the counters no rule's window reaches any more, in one transaction.</summary>
public sealed class RulePruneJob(RuleBook book, RuleChecks checks, TimeProvider clock)
{
    public const string JobId = "maintenance:prune-counts";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var rules = await book.CurrentAsync(cancellationToken);
        await checks.PruneAsync(rules.All, clock.GetUtcNow(), cancellationToken);
    }
}
