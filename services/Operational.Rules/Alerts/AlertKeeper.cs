using Operational.Contracts.Alerts;
using Operational.Rules.Definitions;

namespace Operational.Rules.Alerts;

/// <summary>
/// Takes the steps <see cref="AlertLifecycle"/> decides and has the store save them: the one way
/// alerts change, whoever asks (the event consumer, the scheduled checks, run outcomes, rule
/// deletion). It looks up silences only when a step would tell someone.
/// </summary>
public sealed class AlertKeeper(IAlertStore alerts, ISilenceStore silences, ICheckHistoryStore history)
{
    /// <summary>
    /// Brings the rule's (group's) alert in line with its condition: opens it, tells its channels
    /// again when due, or resolves it. <paramref name="open"/> are the rule's open alerts as read
    /// before the check. Returns whether anything changed.
    /// </summary>
    public async Task<bool> SettleAsync(
        CompiledRule rule, string? group, bool violated, AlertEvidence evidence, IReadOnlyList<AlertRecord> open, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = open.FirstOrDefault(a => a.Alert.Group == group);
        if (rule.Noise is { } noise)
        {
            // The checks so far decide, not this one alone: a flapping condition raises one alert.
            var checks = await history.RecordCheckAsync(rule.Id, group, violated, cancellationToken);
            if (noise.Verdict(checks, current is not null) is not { } verdict)
            {
                return false;
            }

            violated = verdict;
        }

        var changed = false;
        switch (AlertLifecycle.Settle(current, violated, rule.RepeatInterval, now))
        {
            case AlertStep.Open:
                return await OpenAsync(rule, group, evidence, now, cancellationToken);
            case AlertStep.Remind:
                var quiet = await QuietAsync(rule, group, now, cancellationToken);
                changed = await alerts.UpdateAsync(current!.Alert.AlertId, record => AlertLifecycle.Remind(record, now, quiet), cancellationToken);
                break;
            case AlertStep.Resolve:
                return await ResolveAsync(current!.Alert.AlertId, now, evidence, cancellationToken);
        }

        // Silences are read only when a step is due, not at every check of every open alert.
        if (current is not null && AlertLifecycle.EscalationDue(current, rule.Escalation, now))
        {
            var quiet = await QuietAsync(rule, group, now, cancellationToken);
            changed |= await alerts.UpdateAsync(current.Alert.AlertId, record => AlertLifecycle.Escalate(record, rule.Escalation, now, quiet), cancellationToken);
        }

        return changed;
    }

    /// <summary>Someone is on it: records who, and stops reminders and escalation. False when it is not open or already acknowledged.</summary>
    public Task<bool> AcknowledgeAsync(string alertId, string by, DateTimeOffset now, CancellationToken cancellationToken) =>
        alerts.UpdateAsync(alertId, record => AlertLifecycle.Acknowledge(record, by, now), cancellationToken);

    public Task<bool> UnacknowledgeAsync(string alertId, CancellationToken cancellationToken) =>
        alerts.UpdateAsync(alertId, AlertLifecycle.Unacknowledge, cancellationToken);

    /// <summary>Opens an alert for the rule (group) unless one is open; quietly under a silence.</summary>
    public async Task<bool> OpenAsync(CompiledRule rule, string? group, AlertEvidence evidence, DateTimeOffset now, CancellationToken cancellationToken) =>
        await alerts.AddAsync(
            AlertLifecycle.Open(Snapshot(rule, group, evidence, now), await SilencedAsync(rule, group, now, cancellationToken), await SuppressorAsync(rule, cancellationToken)),
            cancellationToken);

    /// <summary>Records an alert without duration under a stable id, so a redelivered cause fires once.</summary>
    public async Task<bool> FireAsync(CompiledRule rule, string? group, AlertEvidence evidence, DateTimeOffset now, string alertId, CancellationToken cancellationToken) =>
        await alerts.AddAsync(AlertLifecycle.Fire(Snapshot(rule, group, evidence, now, alertId), await SilencedAsync(rule, group, now, cancellationToken)), cancellationToken);

    public Task<bool> ResolveAsync(string alertId, DateTimeOffset now, AlertEvidence evidence, CancellationToken cancellationToken) =>
        alerts.UpdateAsync(alertId, record => AlertLifecycle.Resolve(record, now, evidence), cancellationToken);

    /// <summary>Resolves the open alerts of a rule that no longer exists. Returns whether any was open.</summary>
    public async Task<bool> ResolveForDeletedRuleAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var open in await alerts.OpenAlertsAsync(ruleId, cancellationToken))
        {
            changed |= await alerts.UpdateAsync(open.Alert.AlertId, record => AlertLifecycle.RuleWasDeleted(record, now), cancellationToken);
        }

        return changed;
    }

    /// <summary>Whether the rule's alert for the group must not be told now: a silence covers it, or a rule it depends on is alerting.</summary>
    private async Task<bool> QuietAsync(CompiledRule rule, string? group, DateTimeOffset now, CancellationToken cancellationToken) =>
        await SilencedAsync(rule, group, now, cancellationToken) || await SuppressorAsync(rule, cancellationToken) is not null;

    /// <summary>The first rule this one depends on that has an open alert (any group), if any.</summary>
    private async Task<string?> SuppressorAsync(CompiledRule rule, CancellationToken cancellationToken)
    {
        foreach (var parent in rule.DependsOn)
        {
            if ((await alerts.OpenAlertsAsync(parent, cancellationToken)).Count > 0)
            {
                return parent;
            }
        }

        return null;
    }

    /// <summary>Whether an active silence covers the rule's alerts for <paramref name="group"/>.</summary>
    private async Task<bool> SilencedAsync(CompiledRule rule, string? group, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await silences.SilencesAsync(rule.ProjectId, activeOnly: true, now, cancellationToken)).Any(s => s.Covers(rule.Id, group, now, rule.Check?.Tags));

    /// <summary>The snapshot an alert carries of the rule that raised it.</summary>
    public static AlertSnapshot Snapshot(CompiledRule rule, string? group, AlertEvidence evidence, DateTimeOffset at, string? alertId = null) => new(
        alertId ?? Guid.CreateVersion7(at).ToString(),
        rule.ProjectId,
        rule.Id,
        rule.Name,
        rule.Kind,
        group,
        evidence,
        rule.Channels,
        at)
    {
        GroupWaitSeconds = rule.GroupWait is { } wait ? (int)wait.TotalSeconds : 0,
    };
}
