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
