using System.Diagnostics;
using System.Diagnostics.Metrics;
using Operational.Rules.Alerts;
using Operational.Rules.Matching;
using Operational.ServiceDefaults.Telemetry;

namespace Operational.Rules.Checks;

/// <summary>What Hangfire runs for a rule at each occurrence of its schedule.</summary>
public sealed class RuleCheckJob(RuleBook book, RuleChecks checks, AlertsQueued queued, TimeProvider clock)
{
    private static readonly Meter Meter = new(TelemetryExtensions.SourceName);

    /// <summary>Checks run, by rule kind: what the rules benchmark counts to know a minute's checks finished.</summary>
    public static readonly Counter<long> Checks = Meter.CreateCounter<long>("operational.rules.checks", "{check}", "Scheduled rule checks completed.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("operational.rules.check.duration", "ms", "Time one scheduled rule check took.");

    public async Task RunAsync(string ruleId, CancellationToken cancellationToken)
    {
        var rules = await book.CurrentAsync(cancellationToken);
        if (rules.Find(ruleId) is not { Enabled: true } rule)
        {
            return; // deleted or disabled since the schedule fired; its job is being removed
        }

        var started = Stopwatch.GetTimestamp();
        if (await checks.CheckAsync(rule, clock.GetUtcNow(), cancellationToken))
        {
            queued.Notify();
        }

        var kind = new KeyValuePair<string, object?>("kind", rule.Kind);
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, kind);
        Checks.Add(1, kind);
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
