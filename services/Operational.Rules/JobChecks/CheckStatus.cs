using Operational.Rules.Checks;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;

namespace Operational.Rules.JobChecks;

/// <summary>A check's status, named as Healthchecks names them.</summary>
public static class CheckStatuses
{
    /// <summary>Never pinged: it does not alert until its first ping.</summary>
    public const string New = "new";

    public const string Up = "up";

    /// <summary>A run started and has not ended.</summary>
    public const string Started = "started";

    /// <summary>The next ping is due and not here yet; within grace, so not alerting yet.</summary>
    public const string Grace = "grace";

    /// <summary>Alerting: late past grace, failed, or a run over its maximum.</summary>
    public const string Down = "down";

    public const string Paused = "paused";

    public static readonly IReadOnlyList<string> All = [New, Up, Started, Grace, Down, Paused];
}

/// <summary>Where a check stands: its status and when its next ping is due. Decided here, from what the stores hold.</summary>
public static class CheckStatus
{
    /// <param name="last">The last success or failure ping the heartbeat counted.</param>
    /// <param name="alerting">The check has an open alert.</param>
    public static (string Status, DateTimeOffset? NextPingDue) Of(CompiledRule check, CheckPingState? pings, LastSeen? last, bool alerting, DateTimeOffset now)
    {
        var deadline = RuleChecks.HeartbeatDeadline(check, last);
        var due = deadline - check.Grace;
        if (!check.Enabled)
        {
            return (CheckStatuses.Paused, null);
        }

        if (alerting)
        {
            return (CheckStatuses.Down, due);
        }

        if (pings?.OpenRun is not null)
        {
            return (CheckStatuses.Started, due);
        }

        if (last is null)
        {
            return (CheckStatuses.New, null);
        }

        return (due is { } d && now > d ? CheckStatuses.Grace : CheckStatuses.Up, due);
    }
}
