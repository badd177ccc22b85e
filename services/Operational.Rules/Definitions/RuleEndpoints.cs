using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Operational.Rules.Checks;
using Operational.Rules.Matching;
using Operational.Rules.Storage;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.ServiceApis;
using Operational.ServiceDefaults.Time;

namespace Operational.Rules.Definitions;

/// <summary>A rule as the API returns it: its definition with the id and times the service gave it.</summary>
public sealed record RuleResponse(
    string Id,
    string? Name,
    string? Kind,
    bool Enabled,
    RuleConditions? Match,
    ThresholdSettings? Threshold,
    VolumeSettings? Volume,
    HeartbeatSettings? Heartbeat,
    IReadOnlyList<string> Channels,
    int? RepeatIntervalSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static RuleResponse From(Rule rule)
    {
        var d = rule.Definition;
        return new RuleResponse(rule.Id, d.Name, d.Kind, d.Enabled ?? true, d.Match, d.Threshold, d.Volume, d.Heartbeat, d.Channels ?? [],
            d.RepeatIntervalSeconds, rule.CreatedAt, rule.UpdatedAt);
    }
}

public sealed record RuleListResponse(IReadOnlyList<RuleResponse> Rules);

/// <summary><c>/v1/rules</c>: the caller's project's rules. Reading needs <c>read</c>, changing needs <c>admin</c>.</summary>
public static class RuleEndpoints
{
    public static IEndpointRouteBuilder MapRules(this IEndpointRouteBuilder endpoints)
    {
        var rules = endpoints.MapGroup("/v1/rules").WithTags("Rules");
        rules.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListRules");
        rules.MapGet("/{ruleId}", GetAsync).RequireAuthorization(Policies.Read).WithName("GetRule");
        rules.MapPost("", CreateAsync).RequireAuthorization(Policies.Admin).WithName("CreateRule");
        rules.MapPut("/{ruleId}", UpdateAsync).RequireAuthorization(Policies.Admin).WithName("UpdateRule");
        rules.MapDelete("/{ruleId}", DeleteAsync).RequireAuthorization(Policies.Admin).WithName("DeleteRule");
        return endpoints;
    }

    private static async Task<Ok<RuleListResponse>> ListAsync(HttpContext http, IRulesStore store, CancellationToken ct) =>
        TypedResults.Ok(new RuleListResponse((await store.ListRulesAsync(http.User.GetProjectId(), ct)).Select(RuleResponse.From).ToList()));

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> GetAsync(HttpContext http, string ruleId, IRulesStore store, CancellationToken ct) =>
        await store.GetRuleAsync(http.User.GetProjectId(), ruleId, ct) is { } rule
            ? TypedResults.Ok(RuleResponse.From(rule))
            : NotFound(ruleId);

    private static async Task<Results<Created<RuleResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext http, RuleDefinition? definition, IRulesStore store, RuleBook book, RuleSchedules schedules, IChannelDirectory channels,
        IOptions<RulesOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var projectId = http.User.GetProjectId();
        var now = clock.GetUtcNowMs();
        var rule = new Rule("r_" + Guid.CreateVersion7(now).ToString("N"), projectId, definition ?? Empty, now, now);
        var errors = new Dictionary<string, string[]>();
        if (RuleValidator.Compile(rule, errors) is not { } compiled)
        {
            return ApiProblems.Validation(errors);
        }

        var (unknownChannels, cannotCheck) = await CheckChannelsAsync(http, compiled, channels, ct);
        if (unknownChannels is not null)
        {
            return unknownChannels;
        }

        if (cannotCheck is not null)
        {
            return cannotCheck;
        }

        if ((await store.ListRulesAsync(projectId, ct)).Count >= options.Value.MaxRulesPerProject)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Too many rules.",
                $"This project has {options.Value.MaxRulesPerProject} rules, the most allowed (Rules:MaxRulesPerProject). Delete one first.");
        }

        await SaveAsync(compiled, store, book, schedules, ct);
        return TypedResults.Created($"/v1/rules/{rule.Id}", RuleResponse.From(rule));
    }

    private static async Task<Results<Ok<RuleResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        HttpContext http, string ruleId, RuleDefinition? definition, IRulesStore store, RuleBook book, RuleSchedules schedules, IChannelDirectory channels,
        TimeProvider clock, CancellationToken ct)
    {
        if (await store.GetRuleAsync(http.User.GetProjectId(), ruleId, ct) is not { } existing)
        {
            return NotFound(ruleId);
        }

        var rule = existing with { Definition = definition ?? Empty, UpdatedAt = clock.GetUtcNowMs() };
        var errors = new Dictionary<string, string[]>();
        if (RuleValidator.Compile(rule, errors) is not { } compiled)
        {
            return ApiProblems.Validation(errors);
        }

        if (rule.Definition.Kind != existing.Definition.Kind)
        {
            return ApiProblems.Validation("kind", $"cannot change from {existing.Definition.Kind}: create a new rule instead");
        }

        var (unknownChannels, cannotCheck) = await CheckChannelsAsync(http, compiled, channels, ct);
        if (unknownChannels is not null)
        {
            return unknownChannels;
        }

        if (cannotCheck is not null)
        {
            return cannotCheck;
        }

        await SaveAsync(compiled, store, book, schedules, ct);
        return TypedResults.Ok(RuleResponse.From(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext http, string ruleId, IRulesStore store, RuleBook book, RuleSchedules schedules, Alerts.AlertsQueued queued,
        TimeProvider clock, CancellationToken ct)
    {
        if (!await store.DeleteRuleAsync(http.User.GetProjectId(), ruleId, clock.GetUtcNow(), ct))
        {
            return NotFound(ruleId);
        }

        schedules.Remove(ruleId);
        book.Invalidate();
        queued.Notify();
        return TypedResults.NoContent();
    }

    /// <summary>A 400 naming the channel ids the project does not have, or a 503 when that cannot be known now; neither when all exist.</summary>
    private static async Task<(ValidationProblem? Unknown, ProblemHttpResult? CannotCheck)> CheckChannelsAsync(
        HttpContext http, CompiledRule rule, IChannelDirectory channels, CancellationToken ct)
    {
        if (rule.Channels.Count == 0)
        {
            return (null, null);
        }

        try
        {
            var unknown = await channels.UnknownAsync(rule.ProjectId, rule.Channels, http.Request.Headers[GatewayIdentityToken.HeaderName].FirstOrDefault(), ct);
            return unknown.Count == 0
                ? (null, null)
                : (ApiProblems.Validation("channels", $"has ids this project has no channel for: {string.Join(", ", unknown)}; create them with POST /v1/channels first"), null);
        }
        catch (ServiceApiUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "5";
            return (null, ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Cannot check the channels now.", e.Message));
        }
    }

    private static async Task SaveAsync(CompiledRule rule, IRulesStore store, RuleBook book, RuleSchedules schedules, CancellationToken ct)
    {
        await store.SaveRuleAsync(rule.Rule, ct);
        book.Invalidate();
        schedules.Apply(rule);
    }

    private static readonly RuleDefinition Empty = new(null, null, null, null, null, null, null, null, null);

    private static ProblemHttpResult NotFound(string ruleId) => ApiProblems.NotFound($"No rule with id '{ruleId}' in this project.");
}
