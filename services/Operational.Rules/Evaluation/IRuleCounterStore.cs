using Operational.ServiceDefaults.Statistics;

namespace Operational.Rules.Evaluation;

/// <summary>
/// A matching event counted for a rule: in its bucket, and as the rule's (group's) last seen event.
/// The event's project and id make counting exact: an event that comes again — its bus message
/// delivered again after a consumer was killed, or resent by its app after a lost answer and
/// published in another message — is not counted again.
/// </summary>
/// <param name="Value">For a rule that checks a statistic: the event's value of the rule's numeric tag, kept with the count.</param>
public sealed record RuleHit(string RuleId, string ProjectId, string? Group, DateTimeOffset BucketStart, string EventId, string EventName, DateTimeOffset Timestamp, double? Value = null);

/// <summary>The last matching event a rule (group) saw.</summary>
public sealed record LastSeen(string EventId, string EventName, DateTimeOffset Timestamp);

/// <summary>The counters of the rules' windows, per bucket and group, and each rule's last matching event.</summary>
public interface IRuleCounterStore
{
    /// <summary>
    /// Adds one to each hit's bucket and keeps the latest hit per rule and group; an event counted
    /// before is not counted again (SQLite remembers the events counted in the last day, MongoDB
    /// the last 5,000 of each counter).
    /// </summary>
    Task CountAsync(IReadOnlyList<RuleHit> hits, CancellationToken cancellationToken);

    /// <summary>Matching events of the rule (group) in buckets starting in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    Task<long> SumAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The values of the rule (group) in buckets starting in [<paramref name="from"/>, <paramref name="to"/>): count, sum, min, max and their sketch.</summary>
    Task<MetricAggregate> AggregateAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The groups with a matching event in buckets starting at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<string>> GroupsSeenAsync(string ruleId, DateTimeOffset since, CancellationToken cancellationToken);

    Task<LastSeen?> LastSeenAsync(string ruleId, string? group, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets, for each rule, its buckets that start before its cutoff (one transaction), and the
    /// events counted more than a day before the latest one.
    /// </summary>
    Task PruneCountsAsync(IReadOnlyList<(string RuleId, DateTimeOffset Before)> cutoffs, CancellationToken cancellationToken);
}
