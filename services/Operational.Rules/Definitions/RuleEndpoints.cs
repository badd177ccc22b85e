using Microsoft.AspNetCore.Http.HttpResults;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;

namespace Operational.Rules.Definitions;

/// <summary>A rule as the API returns it: its definition with the id and times the service gave it.</summary>
public sealed record RuleResponse(
    string Id,
    string? Name,
    string? Kind,
    bool Enabled,
    EventConditions? Match,
    ThresholdSettings? Threshold,
    VolumeSettings? Volume,
    HeartbeatSettings? Heartbeat,
    IReadOnlyList<string> Channels,
    int? RepeatIntervalSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    TriggerSettings? Trigger = null,
    ResolveSettings? Resolve = null,
    IReadOnlyList<EscalationStep>? Escalation = null,
    IReadOnlyList<string>? DependsOn = null,
    int? GroupWaitSeconds = null)
{
    public static RuleResponse From(Rule rule)
    {
        var d = rule.Definition;
        return new RuleResponse(rule.Id, d.Name, d.Kind, d.Enabled ?? true, d.Match, d.Threshold, d.Volume, d.Heartbeat, d.Channels ?? [],
            d.RepeatIntervalSeconds, rule.CreatedAt, rule.UpdatedAt, d.Trigger, d.Resolve, d.Escalation, d.DependsOn, d.GroupWaitSeconds);
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

    private static async Task<Ok<RuleListResponse>> ListAsync(HttpContext http, IRuleStore store, CancellationToken ct) =>
        TypedResults.Ok(new RuleListResponse((await store.ListRulesAsync(http.User.GetProjectId(), ct)).Select(RuleResponse.From).ToList()));

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> GetAsync(HttpContext http, string ruleId, IRuleStore store, CancellationToken ct) =>
        await store.GetRuleAsync(http.User.GetProjectId(), ruleId, ct) is { } rule
            ? TypedResults.Ok(RuleResponse.From(rule))
            : NotFound(ruleId);

    private static async Task<Results<Created<RuleResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext http, JsonBody<RuleDefinition> body, RuleService rules, CancellationToken ct) =>
        body.Value.Check is not null
            ? ApiProblems.Validation("check", "is written by the checks API: create job checks with POST /v1/checks")
            : await rules.CreateAsync(http.User.GetProjectId(), body.Value, ForwardedIdentity(http), ct) switch
        {
            RuleOutcome.Saved saved => TypedResults.Created($"/v1/rules/{saved.Rule.Id}", RuleResponse.From(saved.Rule)),
            RuleOutcome.Invalid invalid => ApiProblems.Validation(invalid.Errors),
            var other => Problem(http, other, null),
        };

    private static async Task<Results<Ok<RuleResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        HttpContext http, string ruleId, JsonBody<RuleDefinition> body, RuleService rules, IRuleStore store, CancellationToken ct) =>
        (await store.GetRuleAsync(http.User.GetProjectId(), ruleId, ct))?.Definition.Check is not null
            ? ApiProblems.Status(StatusCodes.Status409Conflict, "This rule is a job check.",
                $"Change it with PUT /v1/checks/{ruleId}, which keeps its match on its own pings.")
            : await rules.UpdateAsync(http.User.GetProjectId(), ruleId, stored => body.Value with { Check = stored.Check }, ForwardedIdentity(http), ct) switch
        {
            RuleOutcome.Saved saved => TypedResults.Ok(RuleResponse.From(saved.Rule)),
            RuleOutcome.Invalid invalid => ApiProblems.Validation(invalid.Errors),
            var other => Problem(http, other, ruleId),
        };

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, string ruleId, RuleService rules, CancellationToken ct) =>
        await rules.DeleteAsync(http.User.GetProjectId(), ruleId, ct) is RuleOutcome.Deleted ? TypedResults.NoContent() : NotFound(ruleId);

    /// <summary>The caller's identity as the gateway signed it: a save asks the notifications service about channels as the caller.</summary>
    internal static string? ForwardedIdentity(HttpContext http) => http.Request.Headers[GatewayIdentityToken.HeaderName].FirstOrDefault();

    /// <summary>The answer to an outcome that is neither a success nor invalid input (the rules and checks APIs alike).</summary>
    internal static ProblemHttpResult OutcomeProblem(HttpContext http, RuleOutcome outcome, Func<ProblemHttpResult> notFound)
    {
        switch (outcome)
        {
            case RuleOutcome.NotFound:
                return notFound();
            case RuleOutcome.Refused refused:
                if (refused.Status == StatusCodes.Status503ServiceUnavailable)
                {
                    http.Response.Headers.RetryAfter = "5";
                }

                return ApiProblems.Status(refused.Status, refused.Title, refused.Detail);
            default:
                throw new InvalidOperationException($"Unexpected outcome {outcome}.");
        }
    }

    private static ProblemHttpResult Problem(HttpContext http, RuleOutcome outcome, string? ruleId) => OutcomeProblem(http, outcome, () => NotFound(ruleId!));

    private static ProblemHttpResult NotFound(string ruleId) => ApiProblems.NotFound($"No rule with id '{ruleId}' in this project.");
}
