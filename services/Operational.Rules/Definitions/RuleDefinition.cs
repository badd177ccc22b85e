using System.Text.Json;
using System.Text.Json.Serialization;
using Operational.ServiceDefaults.Matching;

namespace Operational.Rules.Definitions;

/// <summary>The kinds of rule.</summary>
public static class RuleKinds
{
    /// <summary>Fires for each matching event.</summary>
    public const string Match = "match";

    /// <summary>Fires when at least <c>count</c> matching events occur within a sliding window.</summary>
    public const string Threshold = "threshold";

    /// <summary>Expects at least <c>min</c> (and at most <c>max</c>) matching events per window, checked on a schedule.</summary>
    public const string Volume = "volume";

    /// <summary>Expects a matching event every period (or at every cron occurrence), with grace.</summary>
    public const string Heartbeat = "heartbeat";

    public static readonly IReadOnlyList<string> All = [Match, Threshold, Volume, Heartbeat];
}

/// <summary>
/// A rule as operators write it (<c>POST</c>/<c>PUT /v1/rules</c>) and as it is stored. Every member
/// is optional here so that a missing one is a 400 naming it (<see cref="RuleValidator"/>), not a
/// binding failure. A heartbeat rule with a <see cref="Check"/> is a job check (<c>/v1/checks</c>):
/// the checks API writes that member, the rules API shows it but never takes it.
/// </summary>
public sealed record RuleDefinition(
    string? Name,
    string? Kind,
    bool? Enabled,
    EventConditions? Match,
    ThresholdSettings? Threshold,
    VolumeSettings? Volume,
    HeartbeatSettings? Heartbeat,
    IReadOnlyList<string>? Channels,
    int? RepeatIntervalSeconds,
    JobChecks.CheckFace? Check = null,
    TriggerSettings? Trigger = null,
    ResolveSettings? Resolve = null,
    IReadOnlyList<EscalationStep>? Escalation = null,
    IReadOnlyList<string>? DependsOn = null,
    int? GroupWaitSeconds = null);

/// <summary>When a scheduled rule's alert opens: after <paramref name="Consecutive"/> failing checks in a row, or <paramref name="Of"/> N of the last M.</summary>
public sealed record TriggerSettings(int? Consecutive, TriggerOf? Of);

/// <summary>N failing checks among the last M.</summary>
public sealed record TriggerOf(int? N, int? M);

/// <summary>When an open alert resolves: after <paramref name="Consecutive"/> good checks in a row (default one).</summary>
public sealed record ResolveSettings(int? Consecutive);

/// <summary>If the alert is still open and unacknowledged <paramref name="AfterSeconds"/> after it opened, tell these channels too.</summary>
public sealed record EscalationStep(int? AfterSeconds, IReadOnlyList<string>? Channels);

/// <param name="Rate">Instead of a count: alert when at least this share of the matching events (and at least <paramref name="Count"/> of them) also meet its conditions.</param>
/// <param name="Stat">Instead of counting: a statistic of a numeric tag of the window's matching events (once it holds <paramref name="Count"/> values), checked against <paramref name="Above"/> and <paramref name="Below"/>.</param>
public sealed record ThresholdSettings(int? Count, int? WindowSeconds, ThresholdRate? Rate = null, RuleStat? Stat = null, double? Above = null, double? Below = null);

/// <summary>"At least <paramref name="Percent"/>% of the matching events are <paramref name="Where"/>", e.g. 5% of payment events at level error.</summary>
public sealed record ThresholdRate(double? Percent, EventConditions? Where);

/// <param name="GroupBy">A tag key: the rule is checked per value of this tag seen within <paramref name="GroupLookbackSeconds"/>.</param>
/// <param name="Stat">Instead of counting: a statistic of a numeric tag of the matching events, checked against <paramref name="Above"/> and <paramref name="Below"/>.</param>
public sealed record VolumeSettings(
    long? Min, long? Max, int? WindowSeconds, RuleSchedule? Schedule, string? GroupBy, int? GroupLookbackSeconds,
    RuleStat? Stat = null, double? Above = null, double? Below = null);

/// <summary>Which number a volume rule checks: <paramref name="Fn"/> (count, sum, avg, min, max, p50, p95, p99) of the numeric tag <paramref name="Field"/>.</summary>
public sealed record RuleStat(string? Field, string? Fn);

/// <param name="Cron">Five fields (minute precision) or six (with seconds first).</param>
/// <param name="TimeZone">An IANA time zone id such as Europe/Berlin; default UTC.</param>
public sealed record RuleSchedule(string? Cron, string? TimeZone);

/// <summary>Either <paramref name="PeriodSeconds"/> or <paramref name="Schedule"/>, plus grace.</summary>
/// <param name="MaxRunSeconds">
/// Optional: a matching event that starts a context (<c>contextStart</c> with a <c>contextId</c>)
/// starts a run, which must complete (the contexts service's <c>ContextCompleted</c>) within this
/// many seconds; an overrun opens an alert for that run, a failed run fires one.
/// </param>
public sealed record HeartbeatSettings(int? PeriodSeconds, RuleSchedule? Schedule, int? GraceSeconds, int? MaxRunSeconds = null);
