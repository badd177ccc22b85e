using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Time;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.Alerts;

public sealed record SilenceRequest(string? RuleId, string? Group, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Comment);

public sealed record SilenceResponse(string Id, string? RuleId, string? Group, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Comment, DateTimeOffset CreatedAt, bool Active)
{
    public static SilenceResponse From(Silence s, DateTimeOffset now) =>
        new(s.Id, s.RuleId, s.Group, s.StartsAt, s.EndsAt, s.Comment, s.CreatedAt, s.StartsAt <= now && now < s.EndsAt);
}

public sealed record SilenceListResponse(IReadOnlyList<SilenceResponse> Silences);

/// <summary>
/// <c>/v1/silences</c>: mute a rule's alerts, a group's, or a group of a rule, until a time, with a
/// comment saying why. Listing needs <c>read</c>; adding and ending need <c>admin</c>.
/// </summary>
public static class SilenceEndpoints
{
    public const int MaxCommentLength = 500;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(366);

    public static IEndpointRouteBuilder MapSilences(this IEndpointRouteBuilder endpoints)
    {
        var silences = endpoints.MapGroup("/v1/silences").WithTags("Alerts");
        silences.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListSilences");
        silences.MapPost("", AddAsync).RequireAuthorization(Policies.Admin).WithName("AddSilence").WithJsonBodyLimit(4 * 1024);
        silences.MapDelete("/{silenceId}", EndAsync).RequireAuthorization(Policies.Admin).WithName("EndSilence");
        return endpoints;
    }

    private static async Task<Results<Ok<SilenceListResponse>, ValidationProblem>> ListAsync(
        HttpContext http, ISilenceStore store, TimeProvider clock, string? all, CancellationToken ct)
    {
        if (all is not null && !bool.TryParse(all, out _))
        {
            return ApiProblems.Validation("all", "must be true or false; true lists ended silences too");
        }

        var now = clock.GetUtcNow();
        var silences = await store.SilencesAsync(http.User.GetProjectId(), activeOnly: all is null || !bool.Parse(all), now, ct);
        return TypedResults.Ok(new SilenceListResponse(silences.Select(s => SilenceResponse.From(s, now)).ToList()));
    }

    private static async Task<Results<Created<SilenceResponse>, ValidationProblem>> AddAsync(
        HttpContext http, JsonBody<SilenceRequest> body, ISilenceStore store, IRuleStore rules, TimeProvider clock, CancellationToken ct)
    {
        var request = body.Value;
        var projectId = http.User.GetProjectId();
        var now = clock.GetUtcNowMs();
        var errors = new FieldErrors();
        var ruleId = QueryParameters.Filter(request.RuleId);
        var group = QueryParameters.Filter(request.Group);
        if (ruleId is null && group is null)
        {
            errors.Add("ruleId", "a silence needs a ruleId, a group, or both");
        }
        else if (ruleId is not null && await rules.GetRuleAsync(projectId, ruleId, ct) is null)
        {
            errors.Add("ruleId", $"no rule with id '{ruleId}' in this project");
        }

        var startsAt = request.StartsAt ?? now;
        if (request.EndsAt is not { } endsAt || endsAt <= now || endsAt <= startsAt)
        {
            errors.Add("endsAt", "is required: a time in the future, after startsAt");
        }
        else if (endsAt - startsAt > MaxDuration)
        {
            errors.Add("endsAt", "may be at most 366 days after startsAt");
        }

        var comment = request.Comment?.Trim();
        if (string.IsNullOrEmpty(comment) || comment.Length > MaxCommentLength)
        {
            errors.Add("comment", $"is required: why, in 1 to {MaxCommentLength} characters");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var silence = new Silence("s_" + Guid.CreateVersion7(now).ToString("N"), projectId, ruleId, group, startsAt, request.EndsAt!.Value, comment!, now);
        await store.AddSilenceAsync(silence, ct);
        return TypedResults.Created($"/v1/silences/{silence.Id}", SilenceResponse.From(silence, now));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(
        HttpContext http, string silenceId, ISilenceStore store, TimeProvider clock, CancellationToken ct) =>
        await store.EndSilenceAsync(http.User.GetProjectId(), silenceId, clock.GetUtcNow(), ct)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"No active silence with id '{silenceId}' in this project.");
}
