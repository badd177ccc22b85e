using Microsoft.AspNetCore.Http.HttpResults;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Metrics;

public sealed record SavedMetricResponse(string Key, string Title, EventConditions Match, string Field, string? GroupBy, DateTimeOffset CreatedAt)
{
    public static SavedMetricResponse From(SavedMetric m) => new(m.Key, m.Title, m.Match, m.Field, m.GroupBy, m.CreatedAt);
}

public sealed record SavedMetricListResponse(IReadOnlyList<SavedMetricResponse> Metrics);

/// <summary>
/// <c>/v1/metrics/saved</c>: metrics over any conditions of the rules' match language, read with
/// <c>GET /v1/metrics?metric={key}</c>. Defined by admins, read with <c>read</c>.
/// </summary>
public static class SavedMetricEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapSavedMetrics(this IEndpointRouteBuilder endpoints)
    {
        var saved = endpoints.MapGroup("/v1/metrics/saved").WithTags("Metrics");
        saved.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListSavedMetrics");
        saved.MapGet("{key}", GetAsync).RequireAuthorization(Policies.Read).WithName("GetSavedMetric");
        saved.MapPost("", CreateAsync).RequireAuthorization(Policies.Admin).WithName("CreateSavedMetric").WithJsonBodyLimit(MaxBodyBytes);
        saved.MapDelete("{key}", DeleteAsync).RequireAuthorization(Policies.Admin).WithName("DeleteSavedMetric");
        return endpoints;
    }

    /// <summary>The project's saved metric <paramref name="key"/>, or null.</summary>
    public static async Task<SavedMetric?> FindAsync(IMetricStore store, string projectId, string key, CancellationToken ct) =>
        (await store.ListSavedMetricsAsync(projectId, ct)).FirstOrDefault(m => m.Key == key);

    public static ProblemHttpResult NotFound(string key) =>
        ApiProblems.NotFound($"No saved metric '{key}' in this project: GET /v1/metrics/saved lists them.");

    private static async Task<Ok<SavedMetricListResponse>> ListAsync(HttpContext http, IMetricStore store, CancellationToken ct) =>
        TypedResults.Ok(new SavedMetricListResponse((await store.ListSavedMetricsAsync(http.User.GetProjectId(), ct)).Select(SavedMetricResponse.From).ToList()));

    private static async Task<Results<Ok<SavedMetricResponse>, ProblemHttpResult>> GetAsync(HttpContext http, string key, IMetricStore store, CancellationToken ct) =>
        await FindAsync(store, http.User.GetProjectId(), key, ct) is { } metric ? TypedResults.Ok(SavedMetricResponse.From(metric)) : NotFound(key);

    private static async Task<Results<Created<SavedMetricResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext http, JsonBody<SavedMetricDefinition> body, IMetricStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (SavedMetrics.Validate(http.User.GetProjectId(), body.Value, clock.GetUtcNow(), errors) is not { } metric)
        {
            return ApiProblems.Validation(errors);
        }

        return await store.AddSavedMetricAsync(metric, SavedMetrics.MaxPerProject, ct) switch
        {
            SavedMetricAdded.Added => TypedResults.Created($"/v1/metrics/saved/{metric.Key}", SavedMetricResponse.From(metric)),
            SavedMetricAdded.KeyTaken => ApiProblems.Status(StatusCodes.Status409Conflict, "Key taken",
                $"A saved metric '{metric.Key}' exists: delete it first to define it anew (its values are not kept), or choose another key."),
            _ => ApiProblems.Status(StatusCodes.Status409Conflict, "Too many saved metrics",
                $"A project keeps at most {SavedMetrics.MaxPerProject} saved metrics (each adds work to every event stored): delete one first."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, string key, IMetricStore store, CancellationToken ct) =>
        await store.DeleteSavedMetricAsync(http.User.GetProjectId(), key, ct) ? TypedResults.NoContent() : NotFound(key);
}
