using System.Globalization;
using Operational.Contracts.Alerts;
using Operational.Rules.Alerts;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.Rules.JobChecks;

namespace Operational.Rules.Checks;

/// <summary>
/// The scheduled side of the rules: a volume rule counts each group's window, a threshold rule
/// sees whether its window dropped below the count, a heartbeat rule whether its next expected
/// event is overdue. Each then has its alert opened, repeated or resolved (<see cref="AlertKeeper"/>).
/// Driven by the clock it is given, so tests move time instead of waiting.
/// </summary>
public sealed class RuleChecks(IRuleCounterStore counters, IRuleRunStore runs, IAlertStore alerts, AlertKeeper keeper, ICheckRunStore checkRuns)
{
    public async Task<bool> CheckAsync(CompiledRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await alerts.OpenAlertsAsync(rule.Id, cancellationToken);
        var changed = false;
        switch (rule.Kind)
        {
            case RuleKinds.Volume:
                var groups = rule.GroupBy is null
                    ? [null]
                    : (await counters.GroupsSeenAsync(rule.Id, now - rule.GroupLookback, cancellationToken))
                        .Concat(open.Select(a => a.Alert.Group).OfType<string>())
                        .Distinct(StringComparer.Ordinal)
                        .Select(g => (string?)g)
                        .ToList();
                foreach (var group in groups)
                {
                    if (rule.StatField is not null)
                    {
                        var values = await counters.AggregateAsync(rule.Id, group, RuleWindows.WindowStart(rule, now), now.AddMilliseconds(1), cancellationToken);
                        var stat = values.Statistic(rule.StatFn!);
                        // A window without values is no breach: an open alert of the group resolves.
                        var crossed = stat is { } v && (v > rule.Above || v < rule.Below);
                        var seen = await counters.LastSeenAsync(rule.Id, group, cancellationToken);
                        changed |= await keeper.SettleAsync(rule, group, crossed, StatEvidence(rule, group, values.Count, stat, seen), open, now, cancellationToken);
                        continue;
                    }

                    var count = await counters.SumAsync(rule.Id, group, RuleWindows.WindowStart(rule, now), now.AddMilliseconds(1), cancellationToken);
                    var violated = count < rule.Min || count > rule.Max;
                    var last = await counters.LastSeenAsync(rule.Id, group, cancellationToken);
                    changed |= await keeper.SettleAsync(rule, group, violated, VolumeEvidence(rule, group, count, last), open, now, cancellationToken);
                }
                break;

            case RuleKinds.Threshold:
            {
                var counted = await CountThresholdAsync(rule, now, cancellationToken);
                changed |= await keeper.SettleAsync(rule, null, counted.Reached, await ThresholdEvidenceAsync(rule, counted, cancellationToken), open, now, cancellationToken);
                break;
            }

            case RuleKinds.Heartbeat:
            {
                var last = await counters.LastSeenAsync(rule.Id, null, cancellationToken);
                var deadline = HeartbeatDeadline(rule, last);
                var late = deadline is { } due && now > due;
                var evidence = HeartbeatEvidence(rule, last, deadline);
                if (late && rule.Check is not null && (await checkRuns.RunsAsync(rule.Id, 1, cancellationToken)).FirstOrDefault() is { } lastRun)
                {
                    // What the job said the last time it ran is the first thing an operator wants to see.
                    evidence = evidence with { Output = lastRun.Output, ContextId = lastRun.RunId };
                }

                changed |= await keeper.SettleAsync(rule, null, late, evidence, open, now, cancellationToken);
                foreach (var run in await runs.OverdueRunsAsync(rule.Id, now, cancellationToken))
                {
                    // Open (or repeat) the run's alert; the run's end resolves it (RunOutcomes).
                    var overrun = new AlertEvidence(
                        $"Run {run.ContextId} started at {run.StartedAt:O} has not completed within {Seconds(rule.MaxRun!.Value)}.", ContextId: run.ContextId);
                    changed |= await keeper.SettleAsync(rule, run.ContextId, violated: true, overrun, open, now, cancellationToken);
                }

                break;
            }
        }

        return changed;
    }

    /// <summary>Forgets the buckets no check will read again: older than the window (and, grouped, the lookback that finds groups).</summary>
    public Task PruneAsync(IEnumerable<CompiledRule> rules, DateTimeOffset now, CancellationToken cancellationToken) =>
        counters.PruneCountsAsync(
            rules.Where(r => r.Kind is RuleKinds.Threshold or RuleKinds.Volume)
                .SelectMany(r => (r.RatePercent is null ? new[] { r.Id } : [r.Id, r.RateCounterId])
                    .Select(id => (id, now - r.Window - r.Bucket - (r.GroupBy is null ? TimeSpan.Zero : r.GroupLookback))))
                .ToList(),
            cancellationToken);

    /// <summary>
    /// Whether a threshold rule's window holds its count of matching events (or, in its rate form,
    /// at least that many of which the given share meets the rate's conditions). Sums only: the
    /// event path asks this for every batch, and needs the evidence only when it is reached.
    /// </summary>
    public async Task<ThresholdCount> CountThresholdAsync(CompiledRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (from, to) = (RuleWindows.WindowStart(rule, now), now.AddMilliseconds(1));
        if (rule.StatField is not null)
        {
            // Judged once the window holds count values; a statistic of too few says little.
            var values = await counters.AggregateAsync(rule.Id, null, from, to, cancellationToken);
            var stat = values.Statistic(rule.StatFn!);
            return new ThresholdCount(values.Count, null, values.Count >= rule.Min && stat is { } v && (v > rule.Above || v < rule.Below), stat);
        }

        var count = await counters.SumAsync(rule.Id, null, from, to, cancellationToken);
        if (rule.RatePercent is not { } percent)
        {
            return new ThresholdCount(count, null, count >= rule.Min);
        }

        var share = await counters.SumAsync(rule.RateCounterId, null, from, to, cancellationToken);
        return new ThresholdCount(count, share, count >= rule.Min && share * 100.0 >= percent * count);
    }

    /// <summary>What a threshold rule saw, in words, with its last matching event.</summary>
    public async Task<AlertEvidence> ThresholdEvidenceAsync(CompiledRule rule, ThresholdCount counted, CancellationToken cancellationToken)
    {
        var last = await counters.LastSeenAsync(rule.Id, null, cancellationToken);
        if (rule.StatField is not null)
        {
            return StatEvidence(rule, null, counted.Count, counted.Value, last);
        }

        if (rule.RatePercent is not { } percent || counted.Share is not { } share)
        {
            return Evidence($"{counted.Count} matching events in the last {Seconds(rule.Window)}; the threshold is {rule.Min}.", counted.Count, rule.Window, last);
        }

        var measured = counted.Count == 0 ? 0 : share * 100.0 / counted.Count;
        return Evidence(
            $"{share} of {counted.Count} matching events in the last {Seconds(rule.Window)} ({measured.ToString("0.#", CultureInfo.InvariantCulture)}%) met the rate's conditions; " +
            $"the threshold is {percent.ToString("0.#", CultureInfo.InvariantCulture)}% of at least {rule.Min}.", counted.Count, rule.Window, last);
    }

    /// <summary>
    /// When the heartbeat's next event is overdue: the last event (or, before any, the rule's last
    /// change) plus the period and grace; on a schedule, the first cron occurrence after it, in the
    /// rule's time zone (so daylight-saving changes move it as a wall clock does), plus grace. A job
    /// check never pinged has no deadline.
    /// </summary>
    public static DateTimeOffset? HeartbeatDeadline(CompiledRule rule, LastSeen? last)
    {
        if (rule.Check is not null && last is null)
        {
            // A job check waits for its first ping before it expects any (Healthchecks' "new").
            return null;
        }

        var since = last is null || last.Timestamp < rule.Rule.UpdatedAt ? rule.Rule.UpdatedAt : last.Timestamp;
        if (rule.Period is { } period)
        {
            return since + period + rule.Grace;
        }

        return rule.Cron!.GetNextOccurrence(since, rule.TimeZone) is { } next ? next + rule.Grace : null;
    }

    private static AlertEvidence VolumeEvidence(CompiledRule rule, string? group, long count, LastSeen? last)
    {
        var expected = rule.Max is { } max
            ? rule.Min > 0 ? $"between {rule.Min} and {max}" : $"at most {max}"
            : $"at least {rule.Min}";
        var where = group is null ? "" : $" for {rule.GroupBy} = {group}";
        return Evidence($"{count} matching events in the last {Seconds(rule.Window)}{where}; expected {expected}.", count, rule.Window, last);
    }

    /// <summary>"p95 of durationMs was 41200 over 37 values in the last 3600 s for customer = acme; expected at most 30000."</summary>
    private static AlertEvidence StatEvidence(CompiledRule rule, string? group, long values, double? stat, LastSeen? last)
    {
        var expected = (rule.Above, rule.Below) switch
        {
            ({ } above, { } below) => $"between {Number(below)} and {Number(above)}",
            ({ } above, null) => $"at most {Number(above)}",
            (null, { } below) => $"at least {Number(below)}",
            _ => "",
        };
        var where = group is null ? "" : $" for {rule.GroupBy} = {group}";
        var measured = stat is { } v ? $"was {Number(v)} over {values} values" : "had no values";
        return Evidence($"{rule.StatFn} of {rule.StatField} {measured} in the last {Seconds(rule.Window)}{where}; expected {expected}.", values, rule.Window, last) with { Value = stat };
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static AlertEvidence HeartbeatEvidence(CompiledRule rule, LastSeen? last, DateTimeOffset? deadline)
    {
        var seen = last is null ? "No matching event yet" : $"Last matching event at {last.Timestamp:O}";
        var due = deadline is { } d ? $"; the next was due by {d:O}" : "";
        return Evidence($"{seen}{due}.", null, null, last);
    }

    private static AlertEvidence Evidence(string summary, long? count, TimeSpan? window, LastSeen? last) =>
        new(summary, count, window is { } w ? (int)w.TotalSeconds : null, last?.EventId, last?.EventName, last?.Timestamp);

    private static string Seconds(TimeSpan window) => window.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s";
}

/// <summary>A threshold rule's window: its matching events (or values), the share meeting the rate's conditions (rate form), and whether it is reached.</summary>
/// <param name="Value">In the statistic form: the statistic of the window's values.</param>
public sealed record ThresholdCount(long Count, long? Share, bool Reached, double? Value = null);
