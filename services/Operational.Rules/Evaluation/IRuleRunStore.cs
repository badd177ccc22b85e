namespace Operational.Rules.Evaluation;

/// <summary>
/// A run a heartbeat rule with a maximum run time is watching: a context its matching event
/// started, and the time it must have completed by.
/// </summary>
public sealed record RuleRun(string RuleId, string ProjectId, string ContextId, DateTimeOffset StartedAt, DateTimeOffset Deadline);

/// <summary>A context the contexts service announced as completed or failed, as of its latest event.</summary>
public sealed record ContextEnding(string ProjectId, string ContextId, bool Failed, DateTimeOffset LastEventAt)
{
    /// <summary>
    /// Whether this ending is the end of <paramref name="run"/>: an ending with events no later than
    /// the run's start belongs to an earlier run that used the same context id.
    /// </summary>
    public bool Ends(RuleRun run) => run.ProjectId == ProjectId && run.ContextId == ContextId && LastEventAt >= run.StartedAt;
}

/// <summary>A watched run and the ending that ended it.</summary>
public sealed record EndedRun(RuleRun Run, ContextEnding Ending);

/// <summary>The runs heartbeat rules watch (<c>maxRunSeconds</c>).</summary>
/// <remarks>
/// A run's start event (the rules service's event queue) and its context's ending (the contexts
/// service's announcement, on another queue) arrive in either order. An ending that finds no run
/// is remembered for <see cref="RememberEndings"/>, and a start it ends is handed back instead of
/// being watched; each run is handed to exactly one caller, whichever order the two took.
/// </remarks>
public interface IRuleRunStore
{
    /// <summary>How long an ending that found no run waits for its start event.</summary>
    public static readonly TimeSpan RememberEndings = TimeSpan.FromDays(1);

    /// <summary>
    /// Starts watching the runs; a (rule, context) already watched keeps its first start. Returns
    /// the runs whose context had already ended (see <see cref="ContextEnding.Ends"/>): those are
    /// not watched, and the caller settles them.
    /// </summary>
    Task<IReadOnlyList<EndedRun>> StartRunsAsync(IReadOnlyList<RuleRun> runs, CancellationToken cancellationToken);

    /// <summary>
    /// Stops watching the context's runs (it completed or failed) and returns them; each run is
    /// returned to one caller only. With <paramref name="remember"/>, an ending that finds no run
    /// is kept for the start events still on their way.
    /// </summary>
    Task<IReadOnlyList<RuleRun>> EndRunsAsync(ContextEnding ending, bool remember, CancellationToken cancellationToken);

    /// <summary>The rule's watched runs past their deadline at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<RuleRun>> OverdueRunsAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken);
}
