using Cronos;
using Operational.ServiceDefaults.Matching;

namespace Operational.Rules.Definitions;

/// <summary>A stored rule: its definition as written, with the id and times the service gave it.</summary>
public sealed record Rule(string Id, string ProjectId, RuleDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// When and how much: what a rule's kind settings come to once validated and defaulted. Which
/// members apply depends on the kind.
/// </summary>
public record RuleSettings
{
    /// <summary>Threshold: events needed; volume: the minimum.</summary>
    public long Min { get; init; }

    /// <summary>Volume: the maximum, if any.</summary>
    public long? Max { get; init; }

    public TimeSpan Window { get; init; }

    /// <summary>The tag whose values are checked separately (volume).</summary>
    public string? GroupBy { get; init; }

    public TimeSpan GroupLookback { get; init; }

    /// <summary>When the rule's check runs (volume; heartbeat on a schedule).</summary>
    public CronExpression? Cron { get; init; }

    public string? CronText { get; init; }

    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Heartbeat: the expected period between events (when not on a schedule).</summary>
    public TimeSpan? Period { get; init; }

    public TimeSpan Grace { get; init; }

    /// <summary>Threshold in its rate form: the share (percent) of matching events that must also meet <see cref="RateMatcher"/>.</summary>
    public double? RatePercent { get; init; }

    public EventMatcher? RateMatcher { get; init; }

    /// <summary>Heartbeat: how long a run it saw start may take to complete, if watched.</summary>
    public TimeSpan? MaxRun { get; init; }

    /// <summary>Volume in its statistic form: the numeric tag whose values are kept, instead of counting events.</summary>
    public string? StatField { get; init; }

    /// <summary>count, sum, avg, min, max, p50, p95 or p99 of <see cref="StatField"/>'s values in the window.</summary>
    public string? StatFn { get; init; }

    /// <summary>The statistic alerts above this (exclusive)…</summary>
    public double? Above { get; init; }

    /// <summary>…or below this (exclusive).</summary>
    public double? Below { get; init; }
}

/// <summary>
/// A rule ready to evaluate: validated, with every default applied, its matcher compiled and its
/// schedule parsed. Built only by <see cref="RuleValidator"/>, so its members are never missing.
/// Compared by reference: a rule reloaded from the store is a new one.
/// </summary>
public sealed record CompiledRule : RuleSettings
{
    public CompiledRule(RuleSettings settings)
        : base(settings)
    {
    }

    public required Rule Rule { get; init; }

    public required string Kind { get; init; }

    public required string Name { get; init; }

    public required bool Enabled { get; init; }

    public required EventMatcher Matcher { get; init; }

    public required IReadOnlyList<string> Channels { get; init; }

    public TimeSpan? RepeatInterval { get; init; }

    /// <summary>How many checks must fail (or succeed) before the alert opens (or resolves); null: the latest check decides.</summary>
    public Alerts.AlertNoise? Noise { get; init; }

    /// <summary>Who else is told while the alert stays open and unacknowledged, in order.</summary>
    public IReadOnlyList<Alerts.Escalation> Escalation { get; init; } = [];

    /// <summary>Alerts opening within this long of the first reach each channel as one message.</summary>
    public TimeSpan? GroupWait { get; init; }

    /// <summary>Rules whose open alerts suppress this one's (it is recorded, not sent).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>The job check this heartbeat rule is the face of, if it is one.</summary>
    public JobChecks.CheckFace? Check { get; init; }

    /// <summary>A job check's shortest plausible run: a success sooner than this alerts.</summary>
    public TimeSpan? MinRun => Check?.MinRunSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    public string Id => Rule.Id;

    public string ProjectId => Rule.ProjectId;

    /// <summary>
    /// Counters are kept per bucket of this size: a sixtieth of the window, at least a second, so a
    /// window sum touches at most 61 rows and is exact to within one bucket at its old edge.
    /// </summary>
    public TimeSpan Bucket => TimeSpan.FromSeconds(Math.Max(1, (long)Window.TotalSeconds / 60));

    /// <summary>The counter of a rate threshold's share: the matching events that also meet its conditions.</summary>
    public string RateCounterId => RateCounter(Id);

    public static string RateCounter(string ruleId) => ruleId + "#rate";

    /// <summary>Whether the rule needs a recurring check (all but match rules).</summary>
    public bool IsScheduled => Kind != RuleKinds.Match;

    public bool Equals(CompiledRule? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
