namespace Operational.Contracts.Alerts;

/// <summary>
/// An alert as the rules service raised it: which rule, for which group, why, and whom to tell.
/// </summary>
/// <param name="AlertId">Stable for the alert's whole life: triggered, repeated and resolved carry the same id.</param>
/// <param name="ProjectId">The rule's project.</param>
/// <param name="RuleId">The rule that raised it.</param>
/// <param name="RuleName">The rule's name when it was raised.</param>
/// <param name="Kind">match, threshold, volume or heartbeat.</param>
/// <param name="Group">The value of the rule's <c>groupBy</c> tag, or null for a rule without groups.</param>
/// <param name="Evidence">What the rule saw.</param>
/// <param name="Channels">The channel ids to notify.</param>
/// <param name="TriggeredAt">When the alert was raised.</param>
public sealed record AlertSnapshot(
    string AlertId,
    string ProjectId,
    string RuleId,
    string RuleName,
    string Kind,
    string? Group,
    AlertEvidence Evidence,
    IReadOnlyList<string> Channels,
    DateTimeOffset TriggeredAt)
{
    /// <summary>Alerts of the rule opening within this many seconds of each other reach a channel as one message (0: each alone).</summary>
    public int GroupWaitSeconds { get; init; }
}

/// <summary>What a rule saw when it decided.</summary>
/// <param name="Summary">One sentence for people, e.g. "0 'lead created' in the last 60 s; at least 1 expected".</param>
/// <param name="Count">Matching events counted in the window, where the rule counts.</param>
/// <param name="WindowSeconds">The window counted over, where the rule has one.</param>
/// <param name="LastEventId">The last matching event, if any was seen.</param>
/// <param name="LastEventName">Its name.</param>
/// <param name="LastEventAt">Its timestamp.</param>
/// <param name="Output">A job check's run output (the start of its ping's body), for the alert's message.</param>
/// <param name="ContextId">The run (context) the alert is about, to link to.</param>
/// <param name="Value">The statistic a rule checks a numeric tag by (its p95, its average), as measured.</param>
public sealed record AlertEvidence(
    string Summary,
    long? Count = null,
    int? WindowSeconds = null,
    string? LastEventId = null,
    string? LastEventName = null,
    DateTimeOffset? LastEventAt = null,
    string? Output = null,
    string? ContextId = null,
    double? Value = null);

/// <summary>A rule's condition started to hold (or a match rule matched an event).</summary>
public sealed record AlertTriggered(AlertSnapshot Alert)
{
    /// <summary>An alert without duration (a match, a failed or too short run): there is nothing to acknowledge.</summary>
    public bool Fired { get; init; }

    /// <summary>The path of a signed link (<c>/ack/…</c>) that acknowledges the alert without signing in, to append to the installation's address.</summary>
    public string? AcknowledgePath { get; init; }
}

/// <summary>An alert is still open after the rule's repeat interval: tell its channels again.</summary>
public sealed record AlertRepeated(AlertSnapshot Alert, DateTimeOffset RepeatedAt)
{
    /// <summary>The path of a signed link (<c>/ack/…</c>) that acknowledges the alert without signing in, to append to the installation's address.</summary>
    public string? AcknowledgePath { get; init; }
}

/// <summary>The rule's condition stopped holding: the open alert is closed.</summary>
public sealed record AlertResolved(AlertSnapshot Alert, DateTimeOffset ResolvedAt, AlertEvidence Evidence);

/// <summary>An open alert nobody acknowledged reached an escalation step: tell its channels too.</summary>
/// <param name="Alert">The alert, as it opened.</param>
/// <param name="Step">The step, from 1.</param>
/// <param name="Channels">The channels this step tells (besides the rule's own, told when it opened).</param>
/// <param name="EscalatedAt">When the step was taken.</param>
public sealed record AlertEscalated(AlertSnapshot Alert, int Step, IReadOnlyList<string> Channels, DateTimeOffset EscalatedAt)
{
    /// <summary>The path of a signed link (<c>/ack/…</c>) that acknowledges the alert without signing in, to append to the installation's address.</summary>
    public string? AcknowledgePath { get; init; }
}

/// <summary>Someone took an open alert (reminders and escalation stop): its channels hear who, once.</summary>
/// <param name="Alert">The alert, as it opened.</param>
/// <param name="By">Who: an API key's id, <c>operator:name</c>, or <c>link</c> (a message's acknowledge link).</param>
/// <param name="AcknowledgedAt">When.</param>
public sealed record AlertAcknowledged(AlertSnapshot Alert, string By, DateTimeOffset AcknowledgedAt);
