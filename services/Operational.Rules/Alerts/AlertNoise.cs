namespace Operational.Rules.Alerts;

/// <summary>
/// How many of a rule's recent checks decide, per group: an alert opens after
/// <see cref="TriggerConsecutive"/> failing checks in a row (or <see cref="TriggerN"/> of the last
/// <see cref="TriggerM"/>), and resolves after <see cref="ResolveConsecutive"/> good ones in a row.
/// A flapping condition then raises one alert, not one per flap.
/// </summary>
public sealed record AlertNoise(int? TriggerConsecutive, int? TriggerN, int? TriggerM, int ResolveConsecutive)
{
    /// <summary>
    /// What the checks so far say, newest in the lowest bit of <see cref="CheckHistory.Failed"/>:
    /// true (the alert should be open), false (it should be resolved), or null (hold: neither opens
    /// nor resolves, e.g. one good check while three are needed).
    /// </summary>
    public bool? Verdict(CheckHistory history, bool open)
    {
        if (!open)
        {
            var triggered = TriggerConsecutive is { } n
                ? history.Count >= n && history.LastAllFailed(n)
                : history.FailedAmongLast(TriggerM!.Value) >= TriggerN!.Value;
            return triggered ? true : null;
        }

        if (history.LatestFailed)
        {
            return true;
        }

        return history.Count >= ResolveConsecutive && history.LastAllGood(ResolveConsecutive) ? false : null;
    }
}

/// <summary>A rule's (group's) latest check outcomes: bit i set when the i-th latest check found the condition violated.</summary>
public readonly record struct CheckHistory(ulong Failed, int Count)
{
    public bool LatestFailed => Count > 0 && (Failed & 1) == 1;

    public bool LastAllFailed(int n) => (Failed & Mask(n)) == Mask(n);

    public bool LastAllGood(int n) => (Failed & Mask(n)) == 0;

    public int FailedAmongLast(int m) => System.Numerics.BitOperations.PopCount(Failed & Mask(Math.Min(m, Count)));

    /// <summary>The history with one more check at the front, keeping the latest <paramref name="keep"/>.</summary>
    public CheckHistory Then(bool failed, int keep) => new(((Failed << 1) | (failed ? 1UL : 0UL)) & Mask(keep), Math.Min(Count + 1, keep));

    private static ulong Mask(int n) => n >= 64 ? ulong.MaxValue : (1UL << n) - 1;
}

/// <summary>One escalation step: once the alert has been open this long, unacknowledged, these channels are told too.</summary>
public sealed record Escalation(TimeSpan After, IReadOnlyList<string> Channels);

/// <summary>
/// What people and the rule's settings did with an alert beyond its condition: who acknowledged
/// it and when, how many escalation steps were sent, and which rule's open alert suppressed it.
/// </summary>
public sealed record AlertHandling(string? AcknowledgedBy = null, DateTimeOffset? AcknowledgedAt = null, int Escalated = 0, string? SuppressedBy = null)
{
    public static readonly AlertHandling None = new();

    public bool Acknowledged => AcknowledgedAt is not null;
}

/// <summary>The latest check outcomes of rules with noise control, per group.</summary>
public interface ICheckHistoryStore
{
    /// <summary>Adds one check's outcome to the rule's (group's) history and returns the history with it, in one write.</summary>
    Task<CheckHistory> RecordCheckAsync(string ruleId, string? group, bool failed, CancellationToken cancellationToken);
}
