using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.Matching;

/// <summary>
/// Every rule, compiled, by project: what the consumer evaluates each event against. Reloaded
/// at once after a change on this replica, and within <see cref="RefreshInterval"/> after a
/// change on another (the store's rules version tells).
/// </summary>
public sealed class RuleBook(IRuleStore store, TimeProvider clock, ILogger<RuleBook> logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _loading = new(1, 1);
    private Rules? _rules;
    private long _checkedAtTicks;

    /// <summary>Counts <see cref="Invalidate"/> calls, so a load that began before one is not kept after it.</summary>
    private long _generation;

    /// <summary>The rules as of now (at most <see cref="RefreshInterval"/> old).</summary>
    public async ValueTask<Rules> CurrentAsync(CancellationToken cancellationToken)
    {
        var rules = Volatile.Read(ref _rules);
        if (rules is not null && clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _checkedAtTicks) < RefreshInterval.Ticks)
        {
            return rules;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            rules = _rules;
            if (rules is not null && clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _checkedAtTicks) < RefreshInterval.Ticks)
            {
                return rules;
            }

            var generation = Interlocked.Read(ref _generation);
            var version = await store.RulesVersionAsync(cancellationToken);
            if (rules is null || rules.Version != version)
            {
                rules = Compile(version, await store.AllRulesAsync(cancellationToken));
            }

            // A rule saved on this replica while the store was read may be missing from what was
            // read: then the next caller reads again instead of trusting this for RefreshInterval.
            if (Interlocked.Read(ref _generation) == generation)
            {
                Volatile.Write(ref _rules, rules);
                Interlocked.Exchange(ref _checkedAtTicks, clock.GetUtcNow().UtcTicks);
            }

            return rules;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Whether an event of the project may match a rule, from what is known without waiting: true
    /// unless fresh compiled rules (checked within <see cref="RefreshInterval"/>) hold none for it.
    /// Lets the standalone host skip the rules for projects without any.
    /// </summary>
    public bool MayHaveRules(string projectId)
    {
        var rules = Volatile.Read(ref _rules);
        return rules is null
            || clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _checkedAtTicks) >= RefreshInterval.Ticks
            || rules.For(projectId).Length > 0;
    }

    /// <summary>A rule changed on this replica: the next read reloads.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _rules, null);
    }

    private Rules Compile(long version, IReadOnlyList<Rule> stored)
    {
        var compiled = new List<CompiledRule>(stored.Count);
        foreach (var rule in stored)
        {
            var errors = new FieldErrors();
            if (RuleValidator.Compile(rule, errors) is { } ok)
            {
                compiled.Add(ok);
            }
            else
            {
                // Only possible if validation became stricter than when the rule was saved.
                logger.LogWarning("Rule {RuleId} of project {ProjectId} no longer validates and is skipped: {Errors}",
                    rule.Id, rule.ProjectId, errors.ToString());
            }
        }

        return new Rules(version, compiled);
    }

    public sealed class Rules
    {
        private static readonly CompiledRule[] None = [];

        private readonly Dictionary<string, CompiledRule[]> _byProject;
        private readonly Dictionary<string, CompiledRule> _byId;

        public Rules(long version, IReadOnlyList<CompiledRule> rules)
        {
            Version = version;
            All = rules;
            _byProject = rules.Where(r => r.Enabled).GroupBy(r => r.ProjectId).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            _byId = rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
            var checks = rules.Where(r => r.Check is not null).ToList();
            _checksByPingId = checks.DistinctBy(r => r.Check!.PingId, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(r => r.Check!.PingId, StringComparer.OrdinalIgnoreCase);
            _checksBySlug = checks.DistinctBy(r => (r.ProjectId, r.Check!.Slug)).ToDictionary(r => (r.ProjectId, r.Check!.Slug));
        }

        private readonly Dictionary<string, CompiledRule> _checksByPingId;
        private readonly Dictionary<(string ProjectId, string Slug), CompiledRule> _checksBySlug;

        /// <summary>The job check (paused or not) whose ping URL carries this UUID.</summary>
        public CompiledRule? FindCheckByPingId(string pingId) => _checksByPingId.GetValueOrDefault(pingId);

        /// <summary>The project's job check (paused or not) with this slug.</summary>
        public CompiledRule? FindCheck(string projectId, string slug) => _checksBySlug.GetValueOrDefault((projectId, slug));

        public long Version { get; }

        public IReadOnlyList<CompiledRule> All { get; }

        /// <summary>The project's enabled rules.</summary>
        public CompiledRule[] For(string projectId) => _byProject.GetValueOrDefault(projectId) ?? None;

        public CompiledRule? Find(string ruleId) => _byId.GetValueOrDefault(ruleId);
    }
}
