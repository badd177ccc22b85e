using Operational.Contracts.Alerts;

namespace Operational.Rules.Alerts;

public static class AlertStatus
{
    /// <summary>The condition holds; at most one open alert per rule and group.</summary>
    public const string Open = "open";

    /// <summary>The condition stopped holding, or the rule was deleted.</summary>
    public const string Resolved = "resolved";

    /// <summary>A match rule matched an event, or a watched run failed: an alert without duration.</summary>
    public const string Fired = "fired";

    public static readonly IReadOnlyList<string> All = [Open, Resolved, Fired];
}

/// <summary>
/// An alert as stored: its snapshot, where it stands, and whether and when its channels were last
/// told (an alert raised under a silence is not told until the silence ends).
/// </summary>
public sealed record AlertRecord(
    AlertSnapshot Alert, string Status, bool Notified, DateTimeOffset LastNotifiedAt, DateTimeOffset? ResolvedAt, AlertEvidence? Resolution, AlertHandling? Handling = null)
{
    public bool IsOpen => Status == AlertStatus.Open;

    public AlertHandling Handled => Handling ?? AlertHandling.None;
}

/// <summary>
/// One step of an alert's life: the record as it is after the step, and the messages announcing
/// it. A store saves both together (the outbox), or neither.
/// </summary>
public sealed record AlertChange(AlertRecord Record, IReadOnlyList<object> Messages);

/// <summary>What a check's outcome asks of a rule's (group's) alert.</summary>
public enum AlertStep
{
    /// <summary>Nothing to do: no alert and the condition does not hold, or the alert is open and not due to be told again.</summary>
    None,

    /// <summary>The condition holds and no alert is open: open one.</summary>
    Open,

    /// <summary>The open alert's channels are due to be told (again): the repeat interval passed, or they were never told.</summary>
    Remind,

    /// <summary>The condition stopped holding: resolve the open alert.</summary>
    Resolve,
}

/// <summary>
/// The alert state machine: every decision about an alert (which step a check takes, what each
/// step changes, which message announces it, what a silence mutes) lives here, free of storage,
/// so both stores only save what it decides.
/// <code>
///            Open (told, or quiet under a silence)          Resolve (told only if it was told of)
///   (none) ─────────────────────────────────────▶ open ───────────────────────────────────────▶ resolved
///                                                 │  ▲
///                                                 └──┘ Remind: AlertRepeated, or AlertTriggered when
///                                                      its silence ended before it was ever told
///   (none) ── Fire ──▶ fired   (match rules, failed runs: no duration, told unless silenced)
/// </code>
/// </summary>
public static class AlertLifecycle
{
    /// <summary>Why an alert closes when its rule is deleted.</summary>
    public static readonly AlertEvidence RuleDeleted = new("The rule was deleted.");

    /// <summary>The step a check takes, given the open alert of the rule (group), if any.</summary>
    public static AlertStep Settle(AlertRecord? open, bool violated, TimeSpan? repeatInterval, DateTimeOffset now)
    {
        if (!violated)
        {
            return open is null ? AlertStep.None : AlertStep.Resolve;
        }

        if (open is null)
        {
            return AlertStep.Open;
        }

        // Acknowledged: someone is on it, so no reminders (a quiet alert is still told once its silence ends).
        var due = !open.Notified || (!open.Handled.Acknowledged && repeatInterval is { } repeat && now - open.LastNotifiedAt >= repeat);
        return due ? AlertStep.Remind : AlertStep.None;
    }

    /// <summary>
    /// Opens an alert; under a silence, or while a rule it depends on has an open alert
    /// (<paramref name="suppressedBy"/>), it opens quietly and is told once neither holds.
    /// </summary>
    public static AlertChange Open(AlertSnapshot alert, bool silenced, string? suppressedBy = null)
    {
        var change = Start(alert, AlertStatus.Open, silenced || suppressedBy is not null);
        return suppressedBy is null ? change : change with { Record = change.Record with { Handling = new AlertHandling(SuppressedBy: suppressedBy) } };
    }

    /// <summary>Someone is on it: no more reminders or escalation steps. Null when the alert is not open or already acknowledged.</summary>
    /// <remarks>Its channels hear of it (<see cref="AlertAcknowledged"/>) only if they heard it open.</remarks>
    public static AlertChange? Acknowledge(AlertRecord current, string by, DateTimeOffset at) =>
        !current.IsOpen || current.Handled.Acknowledged
            ? null
            : new AlertChange(current with { Handling = current.Handled with { AcknowledgedBy = by, AcknowledgedAt = at } },
                current.Notified ? [new AlertAcknowledged(current.Alert, by, at)] : []);

    /// <summary>Nobody is on it after all: reminders and escalation resume. Null when it was not acknowledged.</summary>
    public static AlertChange? Unacknowledge(AlertRecord current) =>
        !current.IsOpen || !current.Handled.Acknowledged
            ? null
            : new AlertChange(current with { Handling = current.Handled with { AcknowledgedBy = null, AcknowledgedAt = null } }, []);

    /// <summary>Whether the alert's next escalation step is due (silences aside): what a check asks before reading any.</summary>
    public static bool EscalationDue(AlertRecord current, IReadOnlyList<Escalation> steps, DateTimeOffset now)
    {
        var next = current.Handled.Escalated;
        return current.IsOpen && current.Notified && !current.Handled.Acknowledged && next < steps.Count && now - current.Alert.TriggeredAt >= steps[next].After;
    }

    /// <summary>
    /// The next escalation step, once its time since the alert opened has passed: its channels are
    /// told (<see cref="AlertEscalated"/>), once. Never for an acknowledged alert, nor one its channels
    /// were not told of (silenced or suppressed), nor after it resolved.
    /// </summary>
    public static AlertChange? Escalate(AlertRecord current, IReadOnlyList<Escalation> steps, DateTimeOffset now, bool silenced)
    {
        if (silenced || !EscalationDue(current, steps, now))
        {
            return null;
        }

        var next = current.Handled.Escalated;
        return new AlertChange(current with { Handling = current.Handled with { Escalated = next + 1 } }, [new AlertEscalated(current.Alert, next + 1, steps[next].Channels, now)]);
    }

    /// <summary>Records an alert that has no duration (a match, a failed run); under a silence it is never told.</summary>
    public static AlertChange Fire(AlertSnapshot alert, bool silenced) => Start(alert, AlertStatus.Fired, silenced);

    /// <summary>
    /// Tells an open alert's channels again (<see cref="AlertRepeated"/>), or for the first time
    /// (<see cref="AlertTriggered"/>) when it opened under a silence. Null when the alert is not open,
    /// or a silence covers it now.
    /// </summary>
    public static AlertChange? Remind(AlertRecord current, DateTimeOffset at, bool silenced)
    {
        if (!current.IsOpen || silenced)
        {
            return null;
        }

        object message = current.Notified ? new AlertRepeated(current.Alert, at) : new AlertTriggered(current.Alert);
        return new AlertChange(current with { Notified = true, LastNotifiedAt = at }, [message]);
    }

    /// <summary>
    /// Closes an open alert. Its channels hear of it only if they heard it open: an alert opened and
    /// closed under a silence stays unheard. Null when the alert is not open.
    /// </summary>
    public static AlertChange? Resolve(AlertRecord current, DateTimeOffset at, AlertEvidence evidence)
    {
        if (!current.IsOpen)
        {
            return null;
        }

        var resolved = current with { Status = AlertStatus.Resolved, ResolvedAt = at, Resolution = evidence };
        return new AlertChange(resolved, current.Notified ? [new AlertResolved(current.Alert, at, evidence)] : []);
    }

    /// <summary>The rule of an open alert was deleted: it resolves, saying so.</summary>
    public static AlertChange? RuleWasDeleted(AlertRecord current, DateTimeOffset at) => Resolve(current, at, RuleDeleted);

    private static AlertChange Start(AlertSnapshot alert, string status, bool silenced) => new(
        new AlertRecord(alert, status, Notified: !silenced, LastNotifiedAt: alert.TriggeredAt, ResolvedAt: null, Resolution: null),
        silenced ? [] : [new AlertTriggered(alert) { Fired = status == AlertStatus.Fired }]);
}
