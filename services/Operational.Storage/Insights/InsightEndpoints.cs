using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Insights;

public sealed record InsightResponse(string Title, JsonElement Value, string? Icon, DateTimeOffset UpdatedAt, IReadOnlyList<InsightPoint>? History)
{
    public static InsightResponse From(InsightRecord i, bool history) => new(i.Title, i.Value, i.Icon, i.UpdatedAt, history ? i.History : null);
}

public sealed record InsightListResponse(IReadOnlyList<InsightResponse> Insights);

/// <summary><c>POST /v1/insights</c> sets; <c>PATCH</c> with <c>{"value": {"$inc": n}}</c> adds.</summary>
public sealed record InsightRequest(string? Title, JsonElement? Value, string? Icon);

/// <summary><c>/v1/insights</c>: the project's KPIs, set or incremented by apps (ingest), read with their history.</summary>
public static class InsightEndpoints
{
    public const int MaxBodyBytes = 4 * 1024;
    public const int DefaultHistory = 30;
    public const int MaxHistory = Insights.HistoryKept;

    public static IEndpointRouteBuilder MapInsights(this IEndpointRouteBuilder endpoints)
    {
        var insights = endpoints.MapGroup("/v1/insights").WithTags("Insights");
        insights.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListInsights");
        insights.MapPost("", HandleSetAsync).RequireAuthorization(Policies.Ingest).WithName("SetInsight").WithJsonBodyLimit(MaxBodyBytes);
        insights.MapPatch("", HandleIncrementAsync).RequireAuthorization(Policies.Ingest).WithName("IncrementInsight").WithJsonBodyLimit(MaxBodyBytes);
        return endpoints;
    }

    /// <summary>Sets an insight: the one way every API does, after the same checks.</summary>
    public static async Task<Results<Ok<InsightResponse>, ValidationProblem>> SetAsync(
        string projectId, InsightRequest request, IInsightStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        Insights.ValidateTitle(request.Title, errors);
        Insights.ValidateValue(request.Value, errors);
        Insights.ValidateIcon(request.Icon, errors);
        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var insight = await store.SetInsightAsync(projectId, request.Title!.Trim(), request.Value!.Value, request.Icon, clock.GetUtcNow(), ct);
        return TypedResults.Ok(InsightResponse.From(insight, history: false));
    }

    /// <summary>Adds <c>value.$inc</c> to an insight (0 when it does not exist yet).</summary>
    public static async Task<Results<Ok<InsightResponse>, ValidationProblem>> IncrementAsync(
        string projectId, InsightRequest request, IInsightStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        Insights.ValidateTitle(request.Title, errors);
        Insights.ValidateIcon(request.Icon, errors);
        decimal delta = 0;
        if (request.Value is not { ValueKind: JsonValueKind.Object } mutation
            || !mutation.TryGetProperty("$inc", out var inc) || inc.ValueKind != JsonValueKind.Number || !inc.TryGetDecimal(out delta)
            || mutation.EnumerateObject().Count() != 1)
        {
            errors.Add("value", "must be {\"$inc\": n}: the number to add (negative to subtract)");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        return await store.IncrementInsightAsync(projectId, request.Title!.Trim(), delta, request.Icon, clock.GetUtcNow(), errors, ct) is { } insight
            ? TypedResults.Ok(InsightResponse.From(insight, history: false))
            : ApiProblems.Validation(errors);
    }

    private static Task<Results<Ok<InsightResponse>, ValidationProblem>> HandleSetAsync(HttpContext http, JsonBody<InsightRequest> body, IInsightStore store, TimeProvider clock, CancellationToken ct) =>
        SetAsync(http.User.GetProjectId(), body.Value, store, clock, ct);

    private static Task<Results<Ok<InsightResponse>, ValidationProblem>> HandleIncrementAsync(HttpContext http, JsonBody<InsightRequest> body, IInsightStore store, TimeProvider clock, CancellationToken ct) =>
        IncrementAsync(http.User.GetProjectId(), body.Value, store, clock, ct);

    private static async Task<Results<Ok<InsightListResponse>, ValidationProblem>> ListAsync(HttpContext http, IInsightStore store, string? history, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var points = QueryParameters.Limit(history, DefaultHistory, MaxHistory, errors);
        if (!errors.IsEmpty)
        {
            errors.Rename("limit", "history");
            return ApiProblems.Validation(errors);
        }

        var insights = await store.ListInsightsAsync(http.User.GetProjectId(), points, ct);
        return TypedResults.Ok(new InsightListResponse(insights.Select(i => InsightResponse.From(i, history: true)).ToList()));
    }
}
