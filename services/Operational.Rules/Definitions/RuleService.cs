using Microsoft.Extensions.Options;
using Operational.Rules.Alerts;
using Operational.Rules.Checks;
using Operational.Rules.Evaluation;
using Operational.Rules.Matching;
using Operational.ServiceDefaults.ServiceApis;
using Operational.ServiceDefaults.Time;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.Definitions;

/// <summary>What became of a request to create, change or delete a rule.</summary>
public abstract record RuleOutcome
{
    private RuleOutcome()
    {
    }

    public sealed record Saved(Rule Rule) : RuleOutcome;

    public sealed record Deleted : RuleOutcome;

    public sealed record NotFound : RuleOutcome;

    /// <summary>Field → what is wrong with it.</summary>
    public sealed record Invalid(FieldErrors Errors) : RuleOutcome;

    /// <summary>Valid, but not now: <see cref="Status"/> 409 (too many rules) or 503 (channels cannot be checked; try again).</summary>
    public sealed record Refused(int Status, string Title, string Detail) : RuleOutcome;
}

/// <summary>
/// The one owner of creating, changing and deleting rules, and of everything that must follow:
/// the store, the rule book's cache, the rule's scheduled check, and its alerts (resolved when it
/// goes). Every writer of rules (the API, checks) comes through here, so none forgets a step.
/// </summary>
public sealed class RuleService(
    IRuleStore rules,
    RuleBook book,
    RuleSchedules schedules,
    AlertKeeper keeper,
    AlertsQueued queued,
    IAlertStore alerts,
    IChannelDirectory channels,
    ProjectRouting routing,
    IOptions<RulesOptions> options,
    TimeProvider clock,
    ILogger<RuleService> logger)
{
    /// <param name="forwardedIdentity">The caller's identity as the gateway signed it, to ask the notifications service which channels the caller's project has.</param>
    /// <param name="ruleId">The id to give the rule, when the caller needs it before (a job check's match names it); a new one otherwise.</param>
    public async Task<RuleOutcome> CreateAsync(string projectId, RuleDefinition definition, string? forwardedIdentity, CancellationToken cancellationToken, string? ruleId = null)
    {
        var now = clock.GetUtcNowMs();
        var rule = new Rule(ruleId ?? NewId(now), projectId, definition, now, now);
        var (compiled, problem) = Validate(rule, existing: null);
        if ((problem ?? await CheckDependenciesAsync(compiled!, cancellationToken) ?? await CheckChannelsAsync(compiled!, forwardedIdentity, cancellationToken)) is { } refused)
        {
            return refused;
        }

        if ((await rules.ListRulesAsync(projectId, cancellationToken)).Count >= options.Value.MaxRulesPerProject)
        {
            return new RuleOutcome.Refused(StatusCodes.Status409Conflict, "Too many rules.",
                $"This project has {options.Value.MaxRulesPerProject} rules, the most allowed (Rules:MaxRulesPerProject). Delete one first.");
        }

        return await SaveAsync(compiled!, cancellationToken);
    }

    /// <summary>A new rule id, in time order.</summary>
    public static string NewId(DateTimeOffset now) => "r_" + Guid.CreateVersion7(now).ToString("N");

    /// <param name="change">
    /// The new definition from the one stored (the checks API changes some members of a check and
    /// keeps the rest); the rules API passes one that replaces all but the check's face, which only
    /// the checks API writes.
    /// </param>
    public async Task<RuleOutcome> UpdateAsync(string projectId, string ruleId, Func<RuleDefinition, RuleDefinition> change, string? forwardedIdentity, CancellationToken cancellationToken)
    {
        if (await rules.GetRuleAsync(projectId, ruleId, cancellationToken) is not { } existing)
        {
            return new RuleOutcome.NotFound();
        }

        var definition = change(existing.Definition);

        var (compiled, problem) = Validate(existing with { Definition = definition, UpdatedAt = clock.GetUtcNowMs() }, existing);
        return problem ?? await CheckDependenciesAsync(compiled!, cancellationToken) ?? await CheckChannelsAsync(compiled!, forwardedIdentity, cancellationToken)
            ?? await SaveAsync(compiled!, cancellationToken);
    }

    /// <summary>Deletes the rule with what was counted for it, removes its check and resolves its open alerts.</summary>
    public async Task<RuleOutcome> DeleteAsync(string projectId, string ruleId, CancellationToken cancellationToken)
    {
        if (!await rules.DeleteRuleAsync(projectId, ruleId, cancellationToken))
        {
            return new RuleOutcome.NotFound();
        }

        schedules.Remove(ruleId);
        book.Invalidate();
        // After the delete, so no check of this replica opens another; a crash in between is repaired by SyncAsync.
        if (await keeper.ResolveForDeletedRuleAsync(ruleId, clock.GetUtcNow(), cancellationToken))
        {
            queued.Notify();
        }

        return new RuleOutcome.Deleted();
    }

    /// <summary>
    /// Makes what follows from the stored rules true again: every enabled scheduled rule has its
    /// check as it should be, no check is left for a rule that is gone, and no alert stays open for
    /// one. Returns how many checks had to be put right.
    /// </summary>
    public async Task<int> SyncAsync(CancellationToken cancellationToken)
    {
        // The jobs first: a rule whose job is among them was saved, and the book invalidated, before this read.
        var existing = schedules.Existing();
        var current = await book.CurrentAsync(cancellationToken);
        var (fixedCount, orphans) = schedules.Reconcile(current.All, existing);
        if (orphans.Count > 0)
        {
            // The book may be up to RuleBook.RefreshInterval behind a rule another replica just created: the store decides.
            var stored = (await rules.AllRulesAsync(cancellationToken)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var orphan in orphans.Where(id => !stored.Contains(id)))
            {
                schedules.Remove(orphan);
                fixedCount++;
            }
        }

        schedules.ApplyMaintenance();
        await RouteAsync([.. current.All.Select(r => r.ProjectId)], complete: true, cancellationToken);

        var known = current.All.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var resolved = false;
        foreach (var gone in (await alerts.RulesWithOpenAlertsAsync(cancellationToken)).Where(id => !known.Contains(id)))
        {
            // Re-read: the rule may have been created since the book was loaded.
            if ((await book.CurrentAsync(cancellationToken)).Find(gone) is null)
            {
                logger.LogInformation("Resolving the open alerts of deleted rule {RuleId}", gone);
                resolved |= await keeper.ResolveForDeletedRuleAsync(gone, clock.GetUtcNow(), cancellationToken);
            }
        }

        if (resolved)
        {
            queued.Notify();
        }

        return fixedCount;
    }

    /// <summary>The rule compiled, or what is wrong with it as written.</summary>
    private static (CompiledRule? Compiled, RuleOutcome? Problem) Validate(Rule rule, Rule? existing)
    {
        var errors = new FieldErrors();
        if (RuleValidator.Compile(rule, errors) is not { } compiled)
        {
            return (null, new RuleOutcome.Invalid(errors));
        }

        return existing is not null && rule.Definition.Kind != existing.Definition.Kind
            ? (null, Invalid("kind", $"cannot change from {existing.Definition.Kind}: create a new rule instead"))
            : (compiled, null);
    }

    /// <summary>A 400 naming the channel ids the project does not have, or a 503 when that cannot be known now; null when all exist.</summary>
    private async Task<RuleOutcome?> CheckChannelsAsync(CompiledRule rule, string? forwardedIdentity, CancellationToken cancellationToken)
    {
        var named = rule.Channels.Concat(rule.Escalation.SelectMany(step => step.Channels)).Distinct(StringComparer.Ordinal).ToList();
        if (named.Count == 0)
        {
            return null;
        }

        try
        {
            var unknown = await channels.UnknownAsync(rule.ProjectId, named, forwardedIdentity, cancellationToken);
            return unknown.Count == 0
                ? null
                : Invalid("channels", $"has ids this project has no channel for: {string.Join(", ", unknown)}; create them with POST /v1/channels first");
        }
        catch (ServiceApiUnavailableException e)
        {
            return new RuleOutcome.Refused(StatusCodes.Status503ServiceUnavailable, "Cannot check the channels now.", e.Message);
        }
    }

    /// <summary>A 400 naming the rules the rule depends on that the project does not have; null when all exist.</summary>
    private async Task<RuleOutcome?> CheckDependenciesAsync(CompiledRule rule, CancellationToken cancellationToken)
    {
        if (rule.DependsOn.Count == 0)
        {
            return null;
        }

        var known = (await rules.ListRulesAsync(rule.ProjectId, cancellationToken)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var unknown = rule.DependsOn.Where(id => !known.Contains(id)).ToList();
        return unknown.Count == 0 ? null : Invalid("dependsOn", $"has ids this project has no rule for: {string.Join(", ", unknown)}");
    }

    private async Task<RuleOutcome> SaveAsync(CompiledRule rule, CancellationToken cancellationToken)
    {
        await rules.SaveRuleAsync(rule.Rule, cancellationToken);
        book.Invalidate();
        schedules.Apply(rule);
        await RouteAsync([rule.ProjectId], complete: false, cancellationToken);
        return new RuleOutcome.Saved(rule.Rule);
    }

    /// <summary>
    /// The project's batches reach this service from now on. Failing (broker unreachable, when no
    /// event is accepted either) is not the rule's failure: the next sync binds it.
    /// </summary>
    private async Task RouteAsync(IReadOnlyCollection<string> projectIds, bool complete, CancellationToken cancellationToken)
    {
        try
        {
            await routing.RouteAsync(projectIds, complete, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Cannot route the events of {Count} projects to the rules queue now ({Error}); the next rule sync tries again",
                projectIds.Count, e.Message);
        }
    }

    private static RuleOutcome.Invalid Invalid(string field, string message) => new(FieldErrors.Of(field, message));
}
