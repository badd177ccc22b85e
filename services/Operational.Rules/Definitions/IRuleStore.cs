namespace Operational.Rules.Definitions;

/// <summary>The rules as operators wrote them.</summary>
public interface IRuleStore
{
    Task<Rule?> GetRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Rule>> ListRulesAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>Every project's rules, for the evaluation cache and the schedules.</summary>
    Task<IReadOnlyList<Rule>> AllRulesAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces the rule and moves <see cref="RulesVersionAsync"/>.</summary>
    Task SaveRuleAsync(Rule rule, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the rule and what was counted for it (its counters, last seen events and watched runs)
    /// and moves <see cref="RulesVersionAsync"/>. Its alerts stay, for history. False when it did not exist.
    /// </summary>
    Task<bool> DeleteRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken);

    /// <summary>Changes whenever any rule changes: replicas compare it to know when to reload.</summary>
    Task<long> RulesVersionAsync(CancellationToken cancellationToken);
}
