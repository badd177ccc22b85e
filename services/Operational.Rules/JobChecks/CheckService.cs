using System.Text.Json;
using Operational.Contracts.Checks;
using Operational.Rules.Alerts;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.Rules.Matching;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Time;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.JobChecks;

/// <summary>A check as operators write it (<c>POST</c>/<c>PUT /v1/checks</c>): every member optional, so a wrong one is a 400 naming it.</summary>
/// <param name="PeriodSeconds">A simple check: the expected time between pings. Default one day, when no cron is given.</param>
/// <param name="Cron">A cron check: five fields (or six, seconds first), in <paramref name="TimeZone"/> (IANA id, default UTC).</param>
/// <param name="GraceSeconds">How late a ping may be before the check goes down. Default one hour.</param>
/// <param name="MaxRunSeconds">A run (start to end) longer than this alerts while it is still running.</param>
/// <param name="MinRunSeconds">A run that ends sooner than this alerts: it probably did nothing.</param>
public sealed record CheckRequest(
    string? Name,
    string? Slug,
    int? PeriodSeconds,
    string? Cron,
    string? TimeZone,
    int? GraceSeconds,
    int? MaxRunSeconds,
    int? MinRunSeconds,
    IReadOnlyList<string>? Tags,
    IReadOnlyList<string>? Channels,
    string? Description);

/// <summary>A check with where it stands.</summary>
public sealed record CheckView(CompiledRule Check, string Status, DateTimeOffset? LastPingAt, DateTimeOffset? NextPingDueAt, long Pings);

/// <summary>
/// Job checks: heartbeat rules with a face (<see cref="CheckFace"/>). Saving goes through
/// <see cref="RuleService"/>, so a check gets its schedule, routing and alert handling as every
/// rule does; this adds the defaults Healthchecks users expect, slugs unique per project, status,
/// and the pings.
/// </summary>
public sealed class CheckService(
    RuleService rules,
    IRuleStore store,
    RuleBook book,
    ICheckRunStore runs,
    IRuleCounterStore counters,
    IAlertStore alerts,
    TimeProvider clock)
{
    public const int DefaultPeriodSeconds = 24 * 3600;
    public const int DefaultGraceSeconds = 3600;

    public async Task<IReadOnlyList<CheckView>> ListAsync(string projectId, CancellationToken cancellationToken)
    {
        var checks = Compile(await store.ListRulesAsync(projectId, cancellationToken));
        var states = await runs.PingStatesAsync([.. checks.Select(c => c.Id)], cancellationToken);
        var now = clock.GetUtcNow();
        var views = new List<CheckView>(checks.Count);
        foreach (var check in checks)
        {
            views.Add(await ViewAsync(check, states.GetValueOrDefault(check.Id), now, cancellationToken));
        }

        return views;
    }

    /// <summary>What badges show: each check's slug, tags and status.</summary>
    public async Task<IReadOnlyList<CheckBadgeStatus>> BadgeStatusesAsync(string projectId, CancellationToken cancellationToken) =>
        [.. (await ListAsync(projectId, cancellationToken)).Select(v => new CheckBadgeStatus(v.Check.Check!.Slug, v.Check.Check.Tags ?? [], v.Status))];

    public async Task<CheckView?> GetAsync(string projectId, string checkId, CancellationToken cancellationToken)
    {
        if (await store.GetRuleAsync(projectId, checkId, cancellationToken) is not { } rule || Compile([rule]).FirstOrDefault() is not { } check)
        {
            return null;
        }

        var states = await runs.PingStatesAsync([check.Id], cancellationToken);
        return await ViewAsync(check, states.GetValueOrDefault(check.Id), clock.GetUtcNow(), cancellationToken);
    }

    public async Task<IReadOnlyList<CheckRun>?> RunsAsync(string projectId, string checkId, int limit, CancellationToken cancellationToken) =>
        await GetRuleAsync(projectId, checkId, cancellationToken) is null ? null : await runs.RunsAsync(checkId, limit, cancellationToken);

    public async Task<RuleOutcome> CreateAsync(string projectId, CheckRequest request, string? forwardedIdentity, CancellationToken cancellationToken)
    {
        var id = RuleService.NewId(clock.GetUtcNowMs());
        var face = new CheckFace(request.Slug ?? CheckFace.SlugOf(request.Name ?? ""), Guid.NewGuid().ToString(), request.MinRunSeconds, request.Tags, request.Description);
        if (await SlugTakenAsync(projectId, face.Slug, except: null, cancellationToken) is { } taken)
        {
            return taken;
        }

        return await rules.CreateAsync(projectId, Definition(id, request, face, enabled: true), forwardedIdentity, cancellationToken, id);
    }

    /// <summary>Replaces what the operator wrote; the ping UUID and whether it is paused stay.</summary>
    public async Task<RuleOutcome> UpdateAsync(string projectId, string checkId, CheckRequest request, string? forwardedIdentity, CancellationToken cancellationToken)
    {
        if (await GetRuleAsync(projectId, checkId, cancellationToken) is not { } existing)
        {
            return new RuleOutcome.NotFound();
        }

        var face = existing.Definition.Check! with
        {
            Slug = request.Slug ?? CheckFace.SlugOf(request.Name ?? ""),
            MinRunSeconds = request.MinRunSeconds,
            Tags = request.Tags,
            Description = request.Description,
        };
        if (await SlugTakenAsync(projectId, face.Slug, except: checkId, cancellationToken) is { } taken)
        {
            return taken;
        }

        return await rules.UpdateAsync(projectId, checkId, stored => Definition(checkId, request, face, stored.Enabled ?? true), forwardedIdentity, cancellationToken);
    }

    /// <summary>Pauses (no alerts, nothing expected) or resumes (expected again from now) the check.</summary>
    public async Task<RuleOutcome> SetPausedAsync(string projectId, string checkId, bool paused, CancellationToken cancellationToken) =>
        await GetRuleAsync(projectId, checkId, cancellationToken) is null
            ? new RuleOutcome.NotFound()
            : await rules.UpdateAsync(projectId, checkId, stored => stored with { Enabled = !paused }, null, cancellationToken);

    public async Task<RuleOutcome> DeleteAsync(string projectId, string checkId, CancellationToken cancellationToken) =>
        await GetRuleAsync(projectId, checkId, cancellationToken) is null
            ? new RuleOutcome.NotFound()
            : await rules.DeleteAsync(projectId, checkId, cancellationToken);

    /// <summary>
    /// A ping the gateway received: finds its check (creating it on <c>?create=1</c>), resumes it if
    /// paused (as Healthchecks does unless told otherwise), and pairs it with its run.
    /// </summary>
    public async Task<CheckPingReceipt> PingAsync(CheckPing ping, CancellationToken cancellationToken)
    {
        var current = await book.CurrentAsync(cancellationToken);
        var check = ping.PingId is { } pingId
            ? current.FindCheckByPingId(pingId)
            : ping.ProjectId is { } projectId && ping.Slug is { } slug ? current.FindCheck(projectId, slug) : null;
        var outcome = PingOutcomes.Recorded;
        if (check is null)
        {
            if (!ping.Create || ping.ProjectId is null || !CheckFace.IsSlug(ping.Slug))
            {
                return new CheckPingReceipt(PingOutcomes.NotFound);
            }

            switch (await CreateAsync(ping.ProjectId, new CheckRequest(ping.Slug, ping.Slug, null, null, null, null, null, null, null, null, null), null, cancellationToken))
            {
                case RuleOutcome.Saved saved:
                    check = (await book.CurrentAsync(cancellationToken)).Find(saved.Rule.Id);
                    outcome = PingOutcomes.Created;
                    break;
                case RuleOutcome.Invalid:
                    // Another ping created it a moment ago.
                    check = (await book.CurrentAsync(cancellationToken)).FindCheck(ping.ProjectId, ping.Slug!);
                    break;
                default:
                    return new CheckPingReceipt(PingOutcomes.TooMany);
            }

            if (check is null)
            {
                return new CheckPingReceipt(PingOutcomes.NotFound);
            }
        }

        if (!check.Enabled && ping.Signal != PingSignals.Log)
        {
            await SetPausedAsync(check.ProjectId, check.Id, paused: false, cancellationToken);
        }

        var step = await runs.RecordPingAsync(check.ProjectId, check.Id, ping, () => Guid.CreateVersion7(ping.At).ToString(), cancellationToken);
        return new CheckPingReceipt(outcome, check.ProjectId, check.Id, check.Name, step.RunId, step.Starts, step.Ends, step.DurationMs);
    }

    private async Task<CheckView> ViewAsync(CompiledRule check, CheckPingState? pings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = await counters.LastSeenAsync(check.Id, null, cancellationToken);
        var alerting = (await alerts.OpenAlertsAsync(check.Id, cancellationToken)).Count > 0;
        var (status, due) = CheckStatus.Of(check, pings, last, alerting, now);
        return new CheckView(check, status, pings?.LastPingAt, due, pings?.Pings ?? 0);
    }

    private async Task<Rule?> GetRuleAsync(string projectId, string checkId, CancellationToken cancellationToken) =>
        await store.GetRuleAsync(projectId, checkId, cancellationToken) is { Definition.Check: not null } rule ? rule : null;

    private async Task<RuleOutcome?> SlugTakenAsync(string projectId, string slug, string? except, CancellationToken cancellationToken) =>
        (await store.ListRulesAsync(projectId, cancellationToken)).Any(r => r.Definition.Check?.Slug == slug && r.Id != except)
            ? new RuleOutcome.Invalid(FieldErrors.Of("slug", $"'{slug}' is taken by another check of this project: slugs name checks in ping URLs"))
            : null;

    private static List<CompiledRule> Compile(IEnumerable<Rule> stored) =>
        [.. stored.Where(r => r.Definition.Check is not null).Select(r => RuleValidator.Compile(r, new FieldErrors())).OfType<CompiledRule>()];

    /// <summary>
    /// The heartbeat rule a check is: it matches the check's own pings (category <c>checks</c>, tag
    /// <c>check</c> = its id, test pings included) and expects them on the check's schedule.
    /// </summary>
    private static RuleDefinition Definition(string checkId, CheckRequest request, CheckFace face, bool enabled)
    {
        var period = request.PeriodSeconds ?? (request.Cron is null ? DefaultPeriodSeconds : null);
        var schedule = request.Cron is null ? null : new RuleSchedule(request.Cron, request.TimeZone);
        var match = new EventConditions(null, CheckSignals.Category, null, null,
            new Dictionary<string, JsonElement> { [CheckSignals.CheckTag] = JsonSerializer.SerializeToElement(checkId) }, null, IncludeTest: true);
        return new RuleDefinition(request.Name?.Trim() is { Length: > 0 } name ? name : face.Slug, RuleKinds.Heartbeat, enabled, match, null, null,
            new HeartbeatSettings(period, schedule, request.GraceSeconds ?? DefaultGraceSeconds, request.MaxRunSeconds),
            request.Channels, null, face);
    }
}
