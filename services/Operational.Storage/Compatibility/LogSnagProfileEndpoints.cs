using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Insights;
using Operational.Storage.Users;

namespace Operational.Storage.Compatibility;

public sealed record LogSnagIdentifyRequest(
    string? Project,
    [property: JsonPropertyName("user_id")] string? UserId,
    JsonElement? Properties);

public sealed record LogSnagInsightRequest(string? Project, string? Title, JsonElement? Value, string? Icon);

public sealed record LogSnagGroupRequest(
    string? Project,
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("group_id")] string? GroupId,
    JsonElement? Properties);

/// <summary>Operational's identify: its SDK's <c>users.identify</c> sends the user id and properties.</summary>
public sealed record OperationalIdentifyRequest(
    string? UserId,
    [property: JsonPropertyName("user_id")] string? SnakeUserId,
    JsonElement? Properties,
    JsonElement? Traits);

/// <summary>
/// LogSnag's profile endpoints — <c>POST /v1/identify</c>, <c>POST</c>/<c>PATCH /v1/insight</c>,
/// <c>POST /v1/group</c> — with the project's ingest key as the bearer token, and Operational's
/// <c>POST /api/v1/identify</c>, which Operational accepts and discards and which is kept here.
/// They are translated where users and insights are kept (their events go through the gateway's
/// <c>/v1/log</c>), then handled by the native endpoints' code. <c>project</c> is ignored: the key
/// names the project. Answers are the native ones (LogSnag documents only "200 OK").
/// </summary>
public static class LogSnagProfileEndpoints
{
    public static IEndpointRouteBuilder MapLogSnagProfiles(this IEndpointRouteBuilder endpoints)
    {
        var logsnag = endpoints.MapGroup("/v1").RequireAuthorization(Policies.Ingest).WithTags("LogSnag compatibility");
        logsnag.MapPost("/identify", IdentifyAsync).WithName("LogSnagIdentify").WithJsonBodyLimit(UserEndpoints.MaxBodyBytes);
        logsnag.MapPost("/insight", SetInsightAsync).WithName("LogSnagInsight").WithJsonBodyLimit(InsightEndpoints.MaxBodyBytes);
        logsnag.MapPatch("/insight", IncrementInsightAsync).WithName("LogSnagInsightMutate").WithJsonBodyLimit(InsightEndpoints.MaxBodyBytes);
        logsnag.MapPost("/group", GroupAsync).WithName("LogSnagGroup").WithJsonBodyLimit(UserEndpoints.MaxBodyBytes);
        endpoints.MapPost("/api/v1/identify", OperationalIdentifyAsync).RequireAuthorization(Policies.Ingest).WithTags("Operational compatibility")
            .WithName("OperationalIdentify").WithJsonBodyLimit(UserEndpoints.MaxBodyBytes);
        return endpoints;
    }

    private static Task<Results<Ok<UserResponse>, ValidationProblem>> IdentifyAsync(
        HttpContext http, JsonBody<LogSnagIdentifyRequest> body, IUserStore store, TimeProvider clock, CancellationToken ct) =>
        UserEndpoints.IdentifyAsync(http.User.GetProjectId(), body.Value.UserId, body.Value.Properties, store, clock, ct, userField: "user_id");

    private static Task<Results<Ok<InsightResponse>, ValidationProblem>> SetInsightAsync(
        HttpContext http, JsonBody<LogSnagInsightRequest> body, IInsightStore store, TimeProvider clock, CancellationToken ct) =>
        InsightEndpoints.SetAsync(http.User.GetProjectId(), new InsightRequest(body.Value.Title, body.Value.Value, body.Value.Icon), store, clock, ct);

    private static Task<Results<Ok<InsightResponse>, ValidationProblem>> IncrementInsightAsync(
        HttpContext http, JsonBody<LogSnagInsightRequest> body, IInsightStore store, TimeProvider clock, CancellationToken ct) =>
        InsightEndpoints.IncrementAsync(http.User.GetProjectId(), new InsightRequest(body.Value.Title, body.Value.Value, body.Value.Icon), store, clock, ct);

    private static async Task<Results<Ok<GroupResponse>, ValidationProblem>> GroupAsync(
        HttpContext http, JsonBody<LogSnagGroupRequest> body, IUserStore store, TimeProvider clock, CancellationToken ct)
    {
        var request = body.Value;
        var errors = new FieldErrors();
        if (!UserProperties.IsValidId(request.GroupId))
        {
            errors.Add("group_id", $"is required: 1–{UserProperties.MaxIdLength} characters, no line breaks or surrounding spaces");
        }

        if (request.UserId is not null && !UserProperties.IsValidId(request.UserId))
        {
            errors.Add("user_id", $"must be 1–{UserProperties.MaxIdLength} characters, no line breaks or surrounding spaces");
        }

        if (request.UserId is null && request.Properties is null)
        {
            errors.Add("user_id", "or properties is required: a member to add, or the group's properties");
        }

        if (request.Properties is { } properties)
        {
            UserProperties.Validate(properties, "properties", errors);
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        return await store.GroupAsync(http.User.GetProjectId(), request.GroupId!, request.UserId, request.Properties, clock.GetUtcNow(), errors, ct) is { } group
            ? TypedResults.Ok(GroupResponse.From(group))
            : ApiProblems.Validation(errors);
    }

    private static Task<Results<Ok<UserResponse>, ValidationProblem>> OperationalIdentifyAsync(
        HttpContext http, JsonBody<OperationalIdentifyRequest> body, IUserStore store, TimeProvider clock, CancellationToken ct)
    {
        var request = body.Value;
        return UserEndpoints.IdentifyAsync(http.User.GetProjectId(), request.UserId ?? request.SnakeUserId, request.Properties ?? request.Traits ?? EmptyObject, store, clock, ct);
    }

    private static readonly JsonElement EmptyObject = JsonSerializer.SerializeToElement(new { });
}
