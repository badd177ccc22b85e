using Operational.Contracts.Alerts;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage;

/// <summary>A matching event counted for a rule: in its bucket, and as the rule's (group's) last seen event.</summary>
public sealed record RuleHit(string RuleId, string? Group, DateTimeOffset BucketStart, string EventId, string EventName, DateTimeOffset Timestamp);

/// <summary>The last matching event a rule (group) saw.</summary>
public sealed record LastSeen(string EventId, string EventName, DateTimeOffset Timestamp);

public static class AlertStatus
{
    /// <summary>The condition holds; at most one open alert per rule and group.</summary>
    public const string Open = "open";

    /// <summary>The condition stopped holding, or the rule was deleted.</summary>
    public const string Resolved = "resolved";

    /// <summary>A match rule matched an event: an alert without duration.</summary>
    public const string Fired = "fired";

    public static readonly IReadOnlyList<string> All = [Open, Resolved, Fired];
}

/// <summary>
/// An alert as stored: its snapshot, where it stands, and whether and when its channels were last
/// told (an alert raised under a silence is not told until the silence ends).
/// </summary>
public sealed record AlertRecord(AlertSnapshot Alert, string Status, bool Notified, DateTimeOffset LastNotifiedAt, DateTimeOffset? ResolvedAt, AlertEvidence? Resolution);

/// <summary>
/// Mutes the alerts of a rule, of a group, or of a group of a rule, from <see cref="StartsAt"/> to
/// <see cref="EndsAt"/>: they still open and resolve (and show in <c>GET /v1/alerts</c>), but their
/// channels are not told. An alert still open when its silence ends is notified then.
/// </summary>
public sealed record Silence(string Id, string ProjectId, string? RuleId, string? Group, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Comment, DateTimeOffset CreatedAt)
{
    public bool Covers(string ruleId, string? group, DateTimeOffset now) =>
        StartsAt <= now && now < EndsAt && (RuleId is null || RuleId == ruleId) && (Group is null || Group == group);
}

public sealed record AlertPage(IReadOnlyList<AlertRecord> Alerts, string? NextCursor);

/// <summary>
/// A run a heartbeat rule with a maximum run time is watching: a context its matching event
/// started, and the time it must have completed by.
/// </summary>
public sealed record RuleRun(string RuleId, string ProjectId, string ContextId, DateTimeOffset StartedAt, DateTimeOffset Deadline);

/// <summary>A message written atomically with the change it announces, published afterwards; <see cref="Id"/> is the store's own.</summary>
public sealed record OutboxMessage(string Id, object Message);

/// <summary>
/// Everything the rules service owns: rules, the counters of their windows, their alerts, and
/// an outbox of alert messages written atomically with the alert change they announce.
/// </summary>
public interface IRulesStore : IServiceStore
{
    Task<Rule?> GetRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Rule>> ListRulesAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>Every project's rules, for the evaluation cache and the schedules.</summary>
    Task<IReadOnlyList<Rule>> AllRulesAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces the rule and bumps <see cref="RulesVersionAsync"/>.</summary>
    Task SaveRuleAsync(Rule rule, CancellationToken cancellationToken);

    /// <summary>Deletes the rule with its counters, and resolves its open alerts (announcing it). False when it did not exist.</summary>
    Task<bool> DeleteRuleAsync(string projectId, string ruleId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Changes whenever any rule changes: replicas compare it to know when to reload.</summary>
    Task<long> RulesVersionAsync(CancellationToken cancellationToken);

    /// <summary>Adds one to each hit's bucket and keeps the latest hit per rule and group.</summary>
    Task CountAsync(IReadOnlyList<RuleHit> hits, CancellationToken cancellationToken);

    /// <summary>Matching events of the rule (group) in buckets starting in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    Task<long> SumAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The groups with a matching event in buckets starting at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<string>> GroupsSeenAsync(string ruleId, DateTimeOffset since, CancellationToken cancellationToken);

    Task<LastSeen?> LastSeenAsync(string ruleId, string? group, CancellationToken cancellationToken);

    /// <summary>Forgets, for each rule, its buckets that start before its cutoff; one transaction.</summary>
    Task PruneCountsAsync(IReadOnlyList<(string RuleId, DateTimeOffset Before)> cutoffs, CancellationToken cancellationToken);

    /// <summary>Starts watching the runs; a (rule, context) already watched keeps its first start.</summary>
    Task StartRunsAsync(IReadOnlyList<RuleRun> runs, CancellationToken cancellationToken);

    /// <summary>Stops watching the context's runs (it completed or failed) and returns them.</summary>
    Task<IReadOnlyList<RuleRun>> EndRunsAsync(string projectId, string contextId, CancellationToken cancellationToken);

    /// <summary>The rule's watched runs past their deadline at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<RuleRun>> OverdueRunsAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the alert, unless an alert is open for its rule and group already (then false), and
    /// queues <see cref="AlertTriggered"/> when <paramref name="notify"/> (not under a silence).
    /// </summary>
    Task<bool> OpenAlertAsync(AlertSnapshot alert, bool notify, CancellationToken cancellationToken);

    /// <summary>Records a match rule's alert (status fired) and queues <see cref="AlertTriggered"/> when <paramref name="notify"/>.</summary>
    Task RecordFiredAsync(AlertSnapshot alert, bool notify, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlertRecord>> OpenAlertsAsync(string ruleId, CancellationToken cancellationToken);

    /// <summary>Closes the open alert and queues <see cref="AlertResolved"/> if its channels were told of it; nothing when it is not open.</summary>
    Task ResolveAlertAsync(string alertId, DateTimeOffset at, AlertEvidence evidence, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the open alert's channels again: <see cref="AlertRepeated"/>, or <see cref="AlertTriggered"/>
    /// if they were never told (it opened under a silence that has ended). Nothing when it is not open.
    /// </summary>
    Task NotifyAgainAsync(string alertId, DateTimeOffset at, CancellationToken cancellationToken);

    Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken);

    /// <summary>The project's silences, newest first; only those not ended at <paramref name="now"/> when <paramref name="activeOnly"/>.</summary>
    Task<IReadOnlyList<Silence>> SilencesAsync(string projectId, bool activeOnly, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends the silence at <paramref name="now"/>; false when it does not exist or had ended.</summary>
    Task<bool> EndSilenceAsync(string projectId, string silenceId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The project's alerts, newest first; <paramref name="status"/> one of <see cref="AlertStatus.All"/> or null for all.</summary>
    Task<AlertPage> ListAlertsAsync(string projectId, string? status, string? ruleId, int limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>Queued messages, oldest first (in the order they were queued for the same alert).</summary>
    Task<IReadOnlyList<OutboxMessage>> PendingMessagesAsync(int limit, CancellationToken cancellationToken);

    Task RemoveMessagesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);
}
