using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Contracts.Checks;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.JobChecks;

/// <summary>A check as the API returns it.</summary>
/// <param name="PingUrl">The check's ping URL path (<c>/ping/{uuid}</c>), to append to the gateway's address. Admin callers only: it lets anyone ping.</param>
/// <param name="NextPingDueAt">When the next ping is expected (grace not included); null when new or paused.</param>
public sealed record CheckResponse(
    string Id,
    string Name,
    string Slug,
    string Status,
    string? PingUrl,
    DateTimeOffset? LastPingAt,
    DateTimeOffset? NextPingDueAt,
    long Pings,
    int? PeriodSeconds,
    string? Cron,
    string? TimeZone,
    int GraceSeconds,
    int? MaxRunSeconds,
    int? MinRunSeconds,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Channels,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CheckResponse From(CheckView view, bool admin)
    {
        var check = view.Check;
        var face = check.Check!;
        return new CheckResponse(check.Id, check.Name, face.Slug, view.Status, admin ? "/ping/" + face.PingId : null, view.LastPingAt, view.NextPingDueAt, view.Pings,
            check.Period is { } period ? (int)period.TotalSeconds : null, check.CronText, check.Cron is null ? null : check.TimeZone.Id, (int)check.Grace.TotalSeconds,
            check.MaxRun is { } maxRun ? (int)maxRun.TotalSeconds : null, face.MinRunSeconds, face.Tags ?? [], check.Channels, face.Description,
            check.Rule.CreatedAt, check.Rule.UpdatedAt);
    }
}

public sealed record CheckListResponse(IReadOnlyList<CheckResponse> Checks);

/// <summary>One run: its outcome, when, how long, and the start of its output.</summary>
public sealed record CheckRunResponse(string RunId, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Outcome, int? ExitStatus, long? DurationMs, string? Output)
{
    public static CheckRunResponse From(CheckRun run) => new(run.RunId, run.StartedAt, run.EndedAt, run.Outcome, run.ExitStatus, run.DurationMs, run.Output);
}

public sealed record CheckRunListResponse(IReadOnlyList<CheckRunResponse> Runs);

/// <summary>
/// <c>/v1/checks</c>: the project's job checks. Reading needs <c>read</c>, changing needs <c>admin</c>.
/// The pings themselves arrive at the gateway's <c>/ping/…</c> URLs.
/// </summary>
public static class CheckEndpoints
{
    public const int MaxRequestBytes = 16 * 1024;
    public const int MaxRuns = ICheckRunStore.KeptRuns;

    /// <summary>Where the distributed gateway hands pings over; mapped by the rules service's own host only, never forwarded.</summary>
    public const string PingIntakePath = "/internal/v1/check-pings";

    /// <summary>The project a UUID ping is handed over for: the gateway does not know it yet.</summary>
    public const string AnyProject = "*";

    public static IEndpointRouteBuilder MapChecks(this IEndpointRouteBuilder endpoints)
    {
        var checks = endpoints.MapGroup("/v1/checks").WithTags("Checks");
        checks.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListChecks");
        checks.MapGet("/{checkId}", GetAsync).RequireAuthorization(Policies.Read).WithName("GetCheck");
        checks.MapGet("/{checkId}/runs", RunsAsync).RequireAuthorization(Policies.Read).WithName("ListCheckRuns");
        checks.MapPost("", CreateAsync).RequireAuthorization(Policies.Admin).WithName("CreateCheck").WithJsonBodyLimit(MaxRequestBytes);
        checks.MapPut("/{checkId}", UpdateAsync).RequireAuthorization(Policies.Admin).WithName("UpdateCheck").WithJsonBodyLimit(MaxRequestBytes);
        checks.MapPost("/{checkId}/pause", PauseAsync).RequireAuthorization(Policies.Admin).WithName("PauseCheck");
        checks.MapPost("/{checkId}/resume", ResumeAsync).RequireAuthorization(Policies.Admin).WithName("ResumeCheck");
        checks.MapDelete("/{checkId}", DeleteAsync).RequireAuthorization(Policies.Admin).WithName("DeleteCheck");
        return endpoints;
    }

    /// <summary>
    /// The distributed rules service's intake of pings from the gateway, which signs the hand-over
    /// with the <c>ping</c> scope, and the statuses it draws badges from (<c>badge</c> scope). The
    /// standalone host calls <see cref="CheckService"/> in process.
    /// </summary>
    public static IEndpointRouteBuilder MapCheckPingIntake(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(PingIntakePath, IntakeAsync).RequireAuthorization(Policies.Ping).WithJsonBodyLimit(MaxRequestBytes + RunPairing.MaxKeptOutput * 4)
            .ExcludeFromDescription();
        endpoints.MapGet("/internal/v1/check-statuses", async (HttpContext http, CheckService checks, CancellationToken ct) =>
                TypedResults.Ok(new CheckBadgeStatusList(await checks.BadgeStatusesAsync(http.User.GetProjectId(), ct))))
            .RequireAuthorization(Policies.Badge).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Results<Ok<CheckPingReceipt>, ValidationProblem>> IntakeAsync(HttpContext http, JsonBody<CheckPing> body, CheckService checks, CancellationToken ct)
    {
        var ping = body.Value;
        var project = http.User.GetProjectId();
        // A UUID ping is handed over for any project; a slug ping only for the ping key's own.
        if (project == AnyProject ? ping.PingId is null : ping.ProjectId != project || ping.PingId is not null)
        {
            return ApiProblems.Validation("projectId", "must be the ping key's project for a slug ping, and absent for a UUID ping");
        }

        return TypedResults.Ok(await checks.PingAsync(ping, ct));
    }

    private static async Task<Ok<CheckListResponse>> ListAsync(HttpContext http, CheckService checks, CancellationToken ct) =>
        TypedResults.Ok(new CheckListResponse((await checks.ListAsync(http.User.GetProjectId(), ct)).Select(v => CheckResponse.From(v, IsAdmin(http))).ToList()));

    private static async Task<Results<Ok<CheckResponse>, ProblemHttpResult>> GetAsync(HttpContext http, string checkId, CheckService checks, CancellationToken ct) =>
        await checks.GetAsync(http.User.GetProjectId(), checkId, ct) is { } view ? TypedResults.Ok(CheckResponse.From(view, IsAdmin(http))) : NotFound(checkId);

    private static async Task<Results<Ok<CheckRunListResponse>, ValidationProblem, ProblemHttpResult>> RunsAsync(
        HttpContext http, string checkId, CheckService checks, CancellationToken ct, string? limit = null)
    {
        // Read as text, as every list's limit is: "abc" is a 400 naming the parameter, not a binding failure.
        var errors = new FieldErrors();
        var count = QueryParameters.Limit(limit, 30, MaxRuns, errors);
        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        return await checks.RunsAsync(http.User.GetProjectId(), checkId, count, ct) is { } runs
            ? TypedResults.Ok(new CheckRunListResponse(runs.Select(CheckRunResponse.From).ToList()))
            : NotFound(checkId);
    }

    private static async Task<Results<Created<CheckResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext http, JsonBody<CheckRequest> body, CheckService checks, CancellationToken ct)
    {
        var project = http.User.GetProjectId();
        return await checks.CreateAsync(project, body.Value, RuleEndpoints.ForwardedIdentity(http), ct) switch
        {
            RuleOutcome.Saved saved => TypedResults.Created($"/v1/checks/{saved.Rule.Id}", await ResponseAsync(http, checks, saved.Rule.Id, ct)),
            RuleOutcome.Invalid invalid => Invalid(invalid),
            var other => Problem(http, other, null),
        };
    }

    private static async Task<Results<Ok<CheckResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        HttpContext http, string checkId, JsonBody<CheckRequest> body, CheckService checks, CancellationToken ct) =>
        await checks.UpdateAsync(http.User.GetProjectId(), checkId, body.Value, RuleEndpoints.ForwardedIdentity(http), ct) switch
        {
            RuleOutcome.Saved => TypedResults.Ok(await ResponseAsync(http, checks, checkId, ct)),
            RuleOutcome.Invalid invalid => Invalid(invalid),
            var other => Problem(http, other, checkId),
        };

    private static Task<Results<Ok<CheckResponse>, ValidationProblem, ProblemHttpResult>> PauseAsync(HttpContext http, string checkId, CheckService checks, CancellationToken ct) =>
        SetPausedAsync(http, checkId, paused: true, checks, ct);

    private static Task<Results<Ok<CheckResponse>, ValidationProblem, ProblemHttpResult>> ResumeAsync(HttpContext http, string checkId, CheckService checks, CancellationToken ct) =>
        SetPausedAsync(http, checkId, paused: false, checks, ct);

    private static async Task<Results<Ok<CheckResponse>, ValidationProblem, ProblemHttpResult>> SetPausedAsync(
        HttpContext http, string checkId, bool paused, CheckService checks, CancellationToken ct) =>
        await checks.SetPausedAsync(http.User.GetProjectId(), checkId, paused, ct) switch
        {
            RuleOutcome.Saved => TypedResults.Ok(await ResponseAsync(http, checks, checkId, ct)),
            RuleOutcome.Invalid invalid => Invalid(invalid),
            var other => Problem(http, other, checkId),
        };

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, string checkId, CheckService checks, CancellationToken ct) =>
        await checks.DeleteAsync(http.User.GetProjectId(), checkId, ct) is RuleOutcome.Deleted ? TypedResults.NoContent() : NotFound(checkId);

    private static async Task<CheckResponse> ResponseAsync(HttpContext http, CheckService checks, string checkId, CancellationToken ct) =>
        CheckResponse.From((await checks.GetAsync(http.User.GetProjectId(), checkId, ct))!, IsAdmin(http));

    private static bool IsAdmin(HttpContext http) => http.User.HasClaim(OperationalClaims.Scope, ApiScopes.Admin);

    /// <summary>A check's fields are the rule's under other names: errors are reported under the names the caller sent.</summary>
    private static readonly Dictionary<string, string> FieldNames = new(StringComparer.Ordinal)
    {
        ["heartbeat"] = "periodSeconds",
        ["heartbeat.periodSeconds"] = "periodSeconds",
        ["heartbeat.graceSeconds"] = "graceSeconds",
        ["heartbeat.maxRunSeconds"] = "maxRunSeconds",
        ["heartbeat.schedule.cron"] = "cron",
        ["heartbeat.schedule.timeZone"] = "timeZone",
    };

    private static ValidationProblem Invalid(RuleOutcome.Invalid invalid)
    {
        var errors = new FieldErrors();
        foreach (var (field, messages) in invalid.Errors.ToDictionary())
        {
            foreach (var message in messages)
            {
                errors.Add(FieldNames.GetValueOrDefault(field, field), message.Replace("periodSeconds and schedule", "periodSeconds and cron", StringComparison.Ordinal));
            }
        }

        return ApiProblems.Validation(errors);
    }

    private static ProblemHttpResult Problem(HttpContext http, RuleOutcome outcome, string? checkId) =>
        RuleEndpoints.OutcomeProblem(http, outcome, () => NotFound(checkId!));

    private static ProblemHttpResult NotFound(string checkId) => ApiProblems.NotFound($"No check with id '{checkId}' in this project.");
}
