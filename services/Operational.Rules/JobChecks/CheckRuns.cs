using Operational.Contracts.Checks;

namespace Operational.Rules.JobChecks;

/// <summary>
/// One run of a job check: from its start ping (if it sent one) to its success or failure ping.
/// Its id is the context id of the run's events.
/// </summary>
/// <param name="Keyed">The client named the run (<c>?rid=</c>); unnamed runs pair with the latest unnamed start.</param>
/// <param name="Outcome"><see cref="PingSignals.Success"/> or <see cref="PingSignals.Fail"/> once ended.</param>
/// <param name="Output">The start of the last ping's body (at most <see cref="RunPairing.MaxKeptOutput"/> characters).</param>
public sealed record CheckRun(
    string CheckId,
    string RunId,
    string ProjectId,
    bool Keyed,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Outcome,
    int? ExitStatus,
    long? DurationMs,
    string? Output)
{
    public bool IsOpen => EndedAt is null;

    /// <summary>When the run was last heard of, for ordering.</summary>
    public DateTimeOffset At => EndedAt ?? StartedAt ?? DateTimeOffset.MinValue;
}

/// <summary>The latest ping of a check and its open run, for its status.</summary>
public sealed record CheckPingState(string CheckId, DateTimeOffset LastPingAt, string LastSignal, long Pings, CheckRun? OpenRun);

/// <summary>What a ping does to the check's runs, decided by <see cref="RunPairing"/>.</summary>
/// <param name="RunId">The run (context) the ping's event belongs to; null for a log ping outside any run.</param>
/// <param name="Save">The run as it is after the ping, to store; null when the runs do not change.</param>
public sealed record RunStep(string? RunId, bool Starts, bool Ends, long? DurationMs, CheckRun? Save);

/// <summary>
/// Pairs a ping with its run as Healthchecks does: a ping with <c>rid</c> belongs to the run of that
/// id; one without, to the latest start without one. A start opens a run; a success or failure
/// ends the run it belongs to, or is a run of its own when no start was seen; a log ping joins the
/// open run, if any, and changes nothing.
/// </summary>
public static class RunPairing
{
    /// <summary>Characters of a ping's body kept with its run, for alerts and the checks page (the event keeps it all).</summary>
    public const int MaxKeptOutput = 10_000;

    /// <param name="current">
    /// The run the ping refers to: with a run id, the stored run of that id (open or not); without,
    /// the latest open run started without one.
    /// </param>
    public static RunStep Decide(string projectId, string checkId, CheckPing ping, CheckRun? current, Func<string> newRunId)
    {
        var output = Keep(ping.Output);
        var keyed = ping.RunId is not null;
        switch (ping.Signal)
        {
            case PingSignals.Start:
            {
                // A repeated start of a named run starts it again; an unnamed start always opens a new one.
                var runId = ping.RunId ?? newRunId();
                var run = new CheckRun(checkId, runId, projectId, keyed, ping.At, null, null, null, null, output);
                return new RunStep(runId, Starts: true, Ends: false, null, run);
            }

            case PingSignals.Success or PingSignals.Fail:
            {
                if (current is { StartedAt: { } started } && (current.IsOpen || keyed))
                {
                    var duration = Math.Max(0, (long)(ping.At - started).TotalMilliseconds);
                    var ended = current with
                    {
                        EndedAt = ping.At, Outcome = ping.Signal, ExitStatus = ping.ExitStatus, DurationMs = duration, Output = output ?? current.Output,
                    };
                    return new RunStep(current.RunId, Starts: false, Ends: true, duration, ended);
                }

                // No start seen: the run is this one ping, its context opened and closed by one event.
                var runId = ping.RunId ?? newRunId();
                var run = new CheckRun(checkId, runId, projectId, keyed, null, ping.At, ping.Signal, ping.ExitStatus, null, output);
                return new RunStep(runId, Starts: true, Ends: true, null, run);
            }

            default:
                return current is { IsOpen: true } open
                    ? new RunStep(open.RunId, Starts: false, Ends: false, null, null)
                    : new RunStep(null, Starts: false, Ends: false, null, null);
        }
    }

    private static string? Keep(string? output) =>
        string.IsNullOrEmpty(output) ? null : output.Length <= MaxKeptOutput ? output : output[..MaxKeptOutput];
}

/// <summary>The runs and latest pings of job checks. Pairing is decided by <see cref="RunPairing"/>; the store only keeps.</summary>
public interface ICheckRunStore
{
    /// <summary>Runs kept per check; older ones are dropped as new ones come.</summary>
    public const int KeptRuns = 100;

    /// <summary>
    /// Finds the run the ping refers to, lets <see cref="RunPairing"/> decide, keeps the result and
    /// the check's latest ping, all in one write, so two pings never pair with the same start.
    /// </summary>
    Task<RunStep> RecordPingAsync(string projectId, string checkId, CheckPing ping, Func<string> newRunId, CancellationToken cancellationToken);

    /// <summary>The check's latest runs, newest first.</summary>
    Task<IReadOnlyList<CheckRun>> RunsAsync(string checkId, int limit, CancellationToken cancellationToken);

    /// <summary>The latest ping and open run of each of the checks that was ever pinged.</summary>
    Task<IReadOnlyDictionary<string, CheckPingState>> PingStatesAsync(IReadOnlyCollection<string> checkIds, CancellationToken cancellationToken);
}
