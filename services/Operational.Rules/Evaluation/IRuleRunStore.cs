namespace Operational.Rules.Evaluation;

/// <summary>
/// A run a heartbeat rule with a maximum run time is watching: a context its matching event
/// started, and the time it must have completed by.
/// </summary>
public sealed record RuleRun(string RuleId, string ProjectId, string ContextId, DateTimeOffset StartedAt, DateTimeOffset Deadline);

/// <summary>The runs heartbeat rules watch (<c>maxRunSeconds</c>).</summary>
public interface IRuleRunStore
{
    /// <summary>Starts watching the runs; a (rule, context) already watched keeps its first start.</summary>
    Task StartRunsAsync(IReadOnlyList<RuleRun> runs, CancellationToken cancellationToken);

    /// <summary>Stops watching the context's runs (it completed or failed) and returns them; each run is returned to one caller only.</summary>
    Task<IReadOnlyList<RuleRun>> EndRunsAsync(string projectId, string contextId, CancellationToken cancellationToken);

    /// <summary>The rule's watched runs past their deadline at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<RuleRun>> OverdueRunsAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken);
}
