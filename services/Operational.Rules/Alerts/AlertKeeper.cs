using Operational.Contracts.Alerts;
using Operational.Rules.Definitions;

namespace Operational.Rules.Alerts;

/// <summary>
/// Takes the steps <see cref="AlertLifecycle"/> decides and has the store save them: the one way
/// alerts change, whoever asks (the event consumer, the scheduled checks, run outcomes, rule
/// deletion). It looks up silences only when a step would tell someone.
/// </summary>
public sealed class AlertKeeper(IAlertStore alerts, ISilenceStore silences)
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
        switch (AlertLifecycle.Settle(current, violated, rule.RepeatInterval, now))
        {
            case AlertStep.Open:
                return await OpenAsync(rule, group, evidence, now, cancellationToken);
            case AlertStep.Remind:
                var silenced = await SilencedAsync(rule, group, now, cancellationToken);
                return await alerts.UpdateAsync(current!.Alert.AlertId, record => AlertLifecycle.Remind(record, now, silenced), cancellationToken);
            case AlertStep.Resolve:
                return await ResolveAsync(current!.Alert.AlertId, now, evidence, cancellationToken);
            default:
                return false;
        }
    }

    /// <summary>Opens an alert for the rule (group) unless one is open; quietly under a silence.</summary>
    public async Task<bool> OpenAsync(CompiledRule rule, string? group, AlertEvidence evidence, DateTimeOffset now, CancellationToken cancellationToken) =>
        await alerts.AddAsync(AlertLifecycle.Open(Snapshot(rule, group, evidence, now), await SilencedAsync(rule, group, now, cancellationToken)), cancellationToken);

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

    /// <summary>Whether an active silence covers the rule's alerts for <paramref name="group"/>.</summary>
    private async Task<bool> SilencedAsync(CompiledRule rule, string? group, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await silences.SilencesAsync(rule.ProjectId, activeOnly: true, now, cancellationToken)).Any(s => s.Covers(rule.Id, group, now));

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
        at);
}
