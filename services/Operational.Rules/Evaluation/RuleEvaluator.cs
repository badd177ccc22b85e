using Operational.Contracts.Alerts;
using Operational.Contracts.Events;
using Operational.Rules.Checks;
using Operational.Rules.Definitions;
using Operational.Rules.Matching;
using Operational.Rules.Storage;

namespace Operational.Rules.Evaluation;

/// <summary>
/// What the rules service does with ingested events: match rules fire per event; threshold,
/// volume and heartbeat rules count the event (per bucket, per group) and remember it as the
/// last seen; a threshold reached opens an alert at once; a heartbeat that was late is resolved
/// by the event that arrives.
/// </summary>
public sealed class RuleEvaluator(RuleBook book, IRulesStore store)
{
    /// <summary>Evaluates the events against their projects' rules; returns whether an alert changed.</summary>
    public async Task<bool> EvaluateAsync(IReadOnlyList<IngestedEvent> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rules = await book.CurrentAsync(cancellationToken);
        var hits = new List<RuleHit>();
        var fired = new List<(CompiledRule Rule, AlertSnapshot Alert)>();
        var thresholds = new HashSet<CompiledRule>();
        var heartbeats = new Dictionary<CompiledRule, IngestedEvent>();
        var runs = new List<RuleRun>();
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
                        fired.Add((rule, AlertSnapshots.For(rule, null, new AlertEvidence($"'{e.Name}' matched.", LastEventId: e.Id, LastEventName: e.Name, LastEventAt: e.Timestamp), now, $"{rule.Id}:{e.Id}")));
                        break;
                    case RuleKinds.Volume when rule.GroupBy is { } tag:
                        if (EventMatcher.TagText(e, tag) is { Length: > 0 } group)
                        {
                            hits.Add(Hit(rule, group, e));
                        }

                        break;
                    default:
                        hits.Add(Hit(rule, null, e));
                        if (rule.Kind == RuleKinds.Threshold)
                        {
                            thresholds.Add(rule);
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

        await store.CountAsync(hits, cancellationToken);
        await store.StartRunsAsync(runs, cancellationToken);
        foreach (var (rule, alert) in fired)
        {
            await store.RecordFiredAsync(alert, notify: !await RuleChecks.SilencedAsync(store, rule, null, now, cancellationToken), cancellationToken);
        }

        var changed = fired.Count > 0;
        foreach (var rule in thresholds)
        {
            if ((await store.OpenAlertsAsync(rule.Id, cancellationToken)).Count > 0)
            {
                continue; // already alerting; the scheduled check repeats or resolves it
            }

            var count = await store.SumAsync(rule.Id, null, AlertSnapshots.WindowStart(rule, now), now.AddMilliseconds(1), cancellationToken);
            if (count >= rule.Min)
            {
                var last = await store.LastSeenAsync(rule.Id, null, cancellationToken);
                var silenced = await RuleChecks.SilencedAsync(store, rule, null, now, cancellationToken);
                changed |= await store.OpenAlertAsync(AlertSnapshots.For(rule, null, RuleChecks.ThresholdEvidence(rule, count, last), now), notify: !silenced, cancellationToken);
            }
        }

        foreach (var (rule, e) in heartbeats)
        {
            foreach (var open in (await store.OpenAlertsAsync(rule.Id, cancellationToken)).Where(a => a.Alert.Group is null))
            {
                await store.ResolveAlertAsync(open.Alert.AlertId, now,
                    new AlertEvidence($"'{e.Name}' arrived.", LastEventId: e.Id, LastEventName: e.Name, LastEventAt: e.Timestamp), cancellationToken);
                changed = true;
            }
        }

        return changed;
    }

    private static RuleHit Hit(CompiledRule rule, string? group, IngestedEvent e) =>
        new(rule.Id, group, AlertSnapshots.BucketOf(rule, e.Timestamp), e.Id, e.Name, e.Timestamp);
}
