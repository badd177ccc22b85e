using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Time;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.Alerts;

/// <param name="Cron">A maintenance window: mute only from each occurrence of this schedule (in <paramref name="TimeZone"/>) for <paramref name="DurationSeconds"/>.</param>
/// <param name="Tag">Mute the rules (job checks) carrying this tag.</param>
public sealed record SilenceRequest(string? RuleId, string? Group, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Comment,
    string? Cron = null, string? TimeZone = null, int? DurationSeconds = null, string? Tag = null);

/// <param name="Active">Muting now (for a maintenance window: inside one of its windows).</param>
public sealed record SilenceResponse(string Id, string? RuleId, string? Group, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Comment, DateTimeOffset CreatedAt, bool Active,
    string? Cron = null, string? TimeZone = null, int? DurationSeconds = null, string? Tag = null)
{
    public static SilenceResponse From(Silence s, DateTimeOffset now) =>
        new(s.Id, s.RuleId, s.Group, s.StartsAt, s.EndsAt, s.Comment, s.CreatedAt, s.ActiveAt(now), s.Cron, s.TimeZone, s.DurationSeconds, s.Tag);
}

/// <summary><c>POST /v1/rules/{id}/snooze</c>: mute one rule (or check) for a while, e.g. from a deploy script.</summary>
public sealed record SnoozeRequest(int? Minutes, string? Comment);

public sealed record SilenceListResponse(IReadOnlyList<SilenceResponse> Silences);

/// <summary>
/// <c>/v1/silences</c>: mute a rule's alerts, a group's, or a group of a rule, until a time, with a
/// comment saying why. Listing needs <c>read</c>; adding and ending need <c>admin</c>.
/// </summary>
public static class SilenceEndpoints
{
    public const int MaxCommentLength = 500;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(366);

    /// <summary>The longest maintenance window: a week.</summary>
    public const int MaxWindowSeconds = 7 * 24 * 3600;

    public static IEndpointRouteBuilder MapSilences(this IEndpointRouteBuilder endpoints)
    {
        var silences = endpoints.MapGroup("/v1/silences").WithTags("Alerts");
        silences.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListSilences");
        silences.MapPost("", AddAsync).RequireAuthorization(Policies.Admin).WithName("AddSilence").WithJsonBodyLimit(4 * 1024);
        silences.MapDelete("/{silenceId}", EndAsync).RequireAuthorization(Policies.Admin).WithName("EndSilence");
        endpoints.MapPost("/v1/rules/{ruleId}/snooze", SnoozeAsync).RequireAuthorization(Policies.Admin).WithTags("Alerts").WithName("SnoozeRule").WithJsonBodyLimit(4 * 1024);
        endpoints.MapPost("/v1/checks/{ruleId}/snooze", SnoozeAsync).RequireAuthorization(Policies.Admin).WithTags("Checks").WithName("SnoozeCheck").WithJsonBodyLimit(4 * 1024);
        return endpoints;
    }

    public const int MaxSnoozeMinutes = 7 * 24 * 60;

    /// <summary>A silence of the rule from now for the given minutes: what a deploy script calls before it restarts what the rule watches.</summary>
    private static async Task<Results<Created<SilenceResponse>, ValidationProblem, ProblemHttpResult>> SnoozeAsync(
        HttpContext http, string ruleId, JsonBody<SnoozeRequest> body, ISilenceStore store, IRuleStore rules, TimeProvider clock, CancellationToken ct)
    {
        var projectId = http.User.GetProjectId();
        if (await rules.GetRuleAsync(projectId, ruleId, ct) is null)
        {
            return ApiProblems.NotFound($"No rule or check with id '{ruleId}' in this project.");
        }

        if (body.Value.Minutes is not (>= 1 and <= MaxSnoozeMinutes) || body.Value.Comment is { Length: > MaxCommentLength })
        {
            return ApiProblems.Validation(body.Value.Minutes is (>= 1 and <= MaxSnoozeMinutes) ? "comment" : "minutes",
                body.Value.Minutes is (>= 1 and <= MaxSnoozeMinutes) ? $"may be at most {MaxCommentLength} characters" : $"is required: 1 to {MaxSnoozeMinutes} (a week)");
        }

        var now = clock.GetUtcNowMs();
        var silence = new Silence("s_" + Guid.CreateVersion7(now).ToString("N"), projectId, ruleId, null, now, now.AddMinutes(body.Value.Minutes.Value),
            body.Value.Comment?.Trim() is { Length: > 0 } comment ? comment : $"snoozed for {body.Value.Minutes} min", now);
        await store.AddSilenceAsync(silence, ct);
        return TypedResults.Created($"/v1/silences/{silence.Id}", SilenceResponse.From(silence, now));
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
        var tag = QueryParameters.Filter(request.Tag);
        if (ruleId is null && group is null && tag is null)
        {
            errors.Add("ruleId", "a silence needs a ruleId, a group or a tag (of job checks), or several");
        }
        else if (tag is { Length: > 64 })
        {
            errors.Add("tag", "may be at most 64 characters");
        }
        else if (ruleId is not null && await rules.GetRuleAsync(projectId, ruleId, ct) is null)
        {
            errors.Add("ruleId", $"no rule with id '{ruleId}' in this project");
        }

        var startsAt = request.StartsAt ?? now;
        var recurring = request.Cron is not null || request.DurationSeconds is not null;
        // A maintenance window recurs until ended (DELETE), unless it is given an end.
        var endsAt = request.EndsAt ?? (recurring ? DateTimeOffset.MaxValue.AddDays(-1) : null);
        if (endsAt is not { } end || end <= now || end <= startsAt)
        {
            errors.Add("endsAt", recurring ? "must be a time in the future, after startsAt" : "is required: a time in the future, after startsAt");
        }
        else if (!recurring && end - startsAt > MaxDuration)
        {
            errors.Add("endsAt", "may be at most 366 days after startsAt");
        }

        if (recurring)
        {
            if (request.Cron is null || request.DurationSeconds is not (>= 60 and <= MaxWindowSeconds))
            {
                errors.Add(request.Cron is null ? "cron" : "durationSeconds",
                    $"a maintenance window needs both cron (when it starts) and durationSeconds (60 to {MaxWindowSeconds})");
            }
            else
            {
                RuleValidator.Schedule(new RuleSchedule(request.Cron, request.TimeZone), "schedule", errors);
                errors.Rename("schedule.cron", "cron");
                errors.Rename("schedule.timeZone", "timeZone");
            }
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

        var silence = new Silence("s_" + Guid.CreateVersion7(now).ToString("N"), projectId, ruleId, group, startsAt, endsAt!.Value, comment!, now,
            recurring ? request.Cron!.Trim() : null, recurring ? request.TimeZone?.Trim() : null, recurring ? request.DurationSeconds : null, tag);
        await store.AddSilenceAsync(silence, ct);
        return TypedResults.Created($"/v1/silences/{silence.Id}", SilenceResponse.From(silence, now));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(
        HttpContext http, string silenceId, ISilenceStore store, TimeProvider clock, CancellationToken ct) =>
        await store.EndSilenceAsync(http.User.GetProjectId(), silenceId, clock.GetUtcNow(), ct)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"No active silence with id '{silenceId}' in this project.");
}
