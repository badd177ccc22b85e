using Operational.Contracts.Alerts;
using Operational.Contracts.Checks;
using Operational.Contracts.Events;
using Operational.Rules.Alerts;
using Operational.Rules.Checks;
using Operational.Rules.Definitions;
using Operational.Rules.JobChecks;
using Operational.Rules.Matching;
using Operational.ServiceDefaults.Matching;

namespace Operational.Rules.Evaluation;

/// <summary>
/// What the rules service does with ingested events: match rules fire per event; threshold,
/// volume and heartbeat rules count the event (per bucket, per group) and remember it as the
/// last seen; a threshold reached opens an alert at once; a heartbeat that was late is resolved
/// by the event that arrives.
/// </summary>
public sealed class RuleEvaluator(
    RuleBook book, IRuleCounterStore counters, IRuleRunStore runStore, IAlertStore alerts, AlertKeeper keeper, RunOutcomes outcomes, RuleChecks checks)
{
    /// <summary>Evaluates the events against their projects' rules; returns whether an alert changed.</summary>
    public async Task<bool> EvaluateAsync(IReadOnlyList<IngestedEvent> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rules = await book.CurrentAsync(cancellationToken);
        var hits = new List<RuleHit>();
        var fired = new List<(CompiledRule Rule, IngestedEvent Event)>();
        var thresholds = new HashSet<CompiledRule>();
        var heartbeats = new Dictionary<CompiledRule, IngestedEvent>();
        var runs = new List<RuleRun>();
        var checkEnds = new Dictionary<CompiledRule, IngestedEvent>();
        foreach (var e in events)
        {
            foreach (var rule in rules.For(e.ProjectId))
            {
                if (!rule.Matcher.Matches(e))
                {
                    continue;
                }

                switch (rule.Kind)
                {
                    case RuleKinds.Match:
                        fired.Add((rule, e));
                        break;
                    case RuleKinds.Volume when rule.GroupBy is { } tag:
                        if (EventMatcher.TagText(e, tag) is { Length: > 0 } group && ValueHit(rule, group, e) is { } grouped)
                        {
                            hits.Add(grouped);
                        }

                        break;
                    case RuleKinds.Volume:
                        if (ValueHit(rule, null, e) is { } hit)
                        {
                            hits.Add(hit);
                        }

                        break;
                    case RuleKinds.Heartbeat when rule.Check is not null:
                        var signal = CheckSignals.SignalOf(e);
                        if (signal is PingSignals.Success or PingSignals.Fail)
                        {
                            // Only ends count as the heartbeat: a start or a log line says nothing about success.
                            hits.Add(Hit(rule, null, e));
                            checkEnds[rule] = e;
                        }
                        else if (signal == PingSignals.Start && rule.MaxRun is { } maxRunTime && e.ContextId is { } runId)
                        {
                            runs.Add(new RuleRun(rule.Id, e.ProjectId, runId, e.Timestamp, e.Timestamp + maxRunTime));
                        }

                        break;
                    case RuleKinds.Threshold when rule.StatField is not null:
                        if (ValueHit(rule, null, e) is { } measured)
                        {
                            hits.Add(measured);
                            thresholds.Add(rule);
                        }

                        break;
                    default:
                        hits.Add(Hit(rule, null, e));
                        if (rule.Kind == RuleKinds.Threshold)
                        {
                            thresholds.Add(rule);
                            if (rule.RateMatcher?.Matches(e) == true)
                            {
                                hits.Add(Hit(rule, null, e) with { RuleId = rule.RateCounterId });
                            }
                        }
                        else if (rule.Kind == RuleKinds.Heartbeat)
                        {
                            heartbeats[rule] = e;
                            if (rule.MaxRun is { } maxRun && e.ContextStart && e.ContextId is { } contextId)
                            {
                                runs.Add(new RuleRun(rule.Id, e.ProjectId, contextId, e.Timestamp, e.Timestamp + maxRun));
                            }
                        }

                        break;
                }
            }
        }

        await counters.CountAsync(hits, cancellationToken);
        // A run whose context already ended (its announcement overtook this event) is settled now.
        var changed = await outcomes.SettleAsync(await runStore.StartRunsAsync(runs, cancellationToken), now, cancellationToken);
        foreach (var (rule, e) in fired)
        {
            // The id is the rule's and the event's: a redelivered event fires once.
            var evidence = new AlertEvidence($"'{e.Name}' matched.", LastEventId: e.Id, LastEventName: e.Name, LastEventAt: e.Timestamp);
            changed |= await keeper.FireAsync(rule, null, evidence, now, $"{rule.Id}:{e.Id}", cancellationToken);
        }

        // With noise control the scheduled checks count failures before an alert opens.
        foreach (var rule in thresholds.Where(r => r.Noise is null))
        {
            if ((await alerts.OpenAlertsAsync(rule.Id, cancellationToken)).Count > 0)
            {
                continue; // already alerting; the scheduled check repeats or resolves it
            }

            var counted = await checks.CountThresholdAsync(rule, now, cancellationToken);
            if (counted.Reached)
            {
                changed |= await keeper.OpenAsync(rule, null, await checks.ThresholdEvidenceAsync(rule, counted, cancellationToken), now, cancellationToken);
            }
        }

        foreach (var (rule, e) in checkEnds)
        {
            changed |= await SettleCheckAsync(rule, e, now, cancellationToken);
        }

        // A late heartbeat resolves when its event arrives, unless it must stay good for several checks.
        foreach (var (rule, e) in heartbeats.Where(h => h.Key.Noise is not { ResolveConsecutive: > 1 }))
        {
            foreach (var open in (await alerts.OpenAlertsAsync(rule.Id, cancellationToken)).Where(a => a.Alert.Group is null))
            {
                changed |= await keeper.ResolveAsync(open.Alert.AlertId, now,
                    new AlertEvidence($"'{e.Name}' arrived.", LastEventId: e.Id, LastEventName: e.Name, LastEventAt: e.Timestamp), cancellationToken);
            }
        }

        return changed;
    }

    /// <summary>
    /// A job check's latest end in the batch decides: a failure opens its alert at once (with the
    /// run's output), a success resolves what was open; a success sooner than the check's minimum
    /// run time fires an alert of its own.
    /// </summary>
    private async Task<bool> SettleCheckAsync(CompiledRule rule, IngestedEvent e, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var output = CheckSignals.OutputOf(e);
        var changed = false;
        if (CheckSignals.SignalOf(e) == PingSignals.Fail)
        {
            var evidence = new AlertEvidence(CheckSignals.FailureSummary(e), LastEventId: e.Id, LastEventName: e.Name, LastEventAt: e.Timestamp,
                Output: output, ContextId: e.ContextId);
            return await keeper.OpenAsync(rule, CheckSignals.FailedGroup, evidence, now, cancellationToken);
        }

        foreach (var open in (await alerts.OpenAlertsAsync(rule.Id, cancellationToken)).Where(a => a.Alert.Group is null or CheckSignals.FailedGroup))
        {
            changed |= await keeper.ResolveAsync(open.Alert.AlertId, now,
                new AlertEvidence($"'{e.Name}' succeeded.", LastEventId: e.Id, LastEventName: e.Name, LastEventAt: e.Timestamp, Output: output, ContextId: e.ContextId),
                cancellationToken);
        }

        if (rule.MinRun is { } minRun && CheckSignals.DurationOf(e) is { } took && took < minRun && e.ContextId is { } runId)
        {
            var evidence = new AlertEvidence(
                $"'{e.Name}' finished in {CheckSignals.Seconds(took)}, sooner than its shortest plausible run ({CheckSignals.Seconds(minRun)}).",
                LastEventId: e.Id, LastEventName: e.Name, LastEventAt: e.Timestamp, Output: output, ContextId: runId);
            changed |= await keeper.FireAsync(rule, runId, evidence, now, $"{rule.Id}:fast:{runId}", cancellationToken);
        }

        return changed;
    }

    /// <summary>A volume or threshold rule's hit; in its statistic form it carries the event's value, and an event without one counts for nothing.</summary>
    private static RuleHit? ValueHit(CompiledRule rule, string? group, IngestedEvent e)
    {
        if (rule.StatField is not { } field)
        {
            return Hit(rule, group, e);
        }

        return e.Tags is { } tags && tags.TryGetValue(field, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number
               && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? Hit(rule, group, e) with { Value = number }
            : null;
    }

    private static RuleHit Hit(CompiledRule rule, string? group, IngestedEvent e) =>
        new(rule.Id, e.ProjectId, group, RuleWindows.BucketOf(rule, e.Timestamp), e.Id, e.Name, e.Timestamp);
}
