using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Contracts.Api;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Paging;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Events;
using Operational.Storage.Query;

namespace Operational.Storage.Users;

public sealed record UserResponse(
    string UserId, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, long EventCount, JsonObject Properties, IReadOnlyList<string> Groups, DateTimeOffset? IdentifiedAt)
{
    public static UserResponse From(UserRecord u) => new(u.UserId, u.FirstSeen, u.LastSeen, u.EventCount, u.Properties, u.Groups, u.IdentifiedAt);
}

public sealed record UserListResponse(IReadOnlyList<UserResponse> Users, string? NextCursor);

/// <summary>A user's events over time (newest first, paged as <c>GET /v1/events</c>) and the contexts they belong to.</summary>
public sealed record JourneyResponse(UserResponse User, IReadOnlyList<EventResponse> Events, IReadOnlyList<string> Contexts, string? NextCursor);

public sealed record IdentifyRequest(JsonElement? Properties);

public sealed record GroupResponse(string GroupId, JsonObject Properties, long Members, DateTimeOffset UpdatedAt)
{
    public static GroupResponse From(GroupRecord g) => new(g.GroupId, g.Properties, g.Members, g.UpdatedAt);
}

/// <summary>
/// <c>/v1/users</c>: who uses the product. Users appear with their first event that has a
/// <c>userId</c> (live events only) and through identify, which merges properties.
/// </summary>
public static class UserEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapGroup("/v1/users").WithTags("Users");
        users.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListUsers");
        users.MapGet("/{userId}", GetAsync).RequireAuthorization(Policies.Read).WithName("GetUser");
        users.MapGet("/{userId}/journey", JourneyAsync).RequireAuthorization(Policies.Read).WithName("GetUserJourney");
        // Apps identify their users with the key they send events with.
        users.MapPost("/{userId}", HandleIdentifyAsync).RequireAuthorization(Policies.Ingest).WithName("IdentifyUser").WithJsonBodyLimit(MaxBodyBytes);
        endpoints.MapGet("/v1/groups/{groupId}", GetGroupAsync).RequireAuthorization(Policies.Read).WithTags("Users").WithName("GetGroup");
        return endpoints;
    }

    /// <summary>The one way every API identifies: checks the id and the properties, then merges them.</summary>
    public static async Task<Results<Ok<UserResponse>, ValidationProblem>> IdentifyAsync(
        string projectId, string? userId, JsonElement? properties, IUserStore store, TimeProvider clock, CancellationToken ct, string userField = "userId")
    {
        var errors = new FieldErrors();
        if (!UserProperties.IsValidId(userId))
        {
            errors.Add(userField, $"is required: 1–{UserProperties.MaxIdLength} characters, no line breaks or surrounding spaces");
        }

        if (properties is { } given)
        {
            UserProperties.Validate(given, "properties", errors);
        }
        else
        {
            errors.Add("properties", "is required: an object of key → string, number, boolean or null");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        return await store.IdentifyAsync(projectId, userId!, properties!.Value, clock.GetUtcNow(), errors, ct) is { } user
            ? TypedResults.Ok(UserResponse.From(user))
            : ApiProblems.Validation(errors);
    }

    private static Task<Results<Ok<UserResponse>, ValidationProblem>> HandleIdentifyAsync(
        HttpContext http, string userId, JsonBody<IdentifyRequest> body, IUserStore store, TimeProvider clock, CancellationToken ct) =>
        IdentifyAsync(http.User.GetProjectId(), userId, body.Value.Properties, store, clock, ct);

    private static async Task<Results<Ok<UserListResponse>, ValidationProblem>> ListAsync(
        HttpContext http, IUserStore store, string? q, string? property, string? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var pageSize = QueryParameters.Limit(limit, DefaultLimit, MaxLimit, errors);
        UserCursor? after = null;
        if (cursor is not null)
        {
            if (TimeIdCursor.TryDecode(cursor, out var seen, out var id))
            {
                after = new UserCursor(seen, id);
            }
            else
            {
                errors.Add("cursor", QueryParameters.CursorProblem);
            }
        }

        string? key = null, value = null;
        if (QueryParameters.Filter(property) is { } pair)
        {
            var at = pair.IndexOf(':');
            key = at > 0 ? pair[..at] : null;
            value = at > 0 ? pair[(at + 1)..] : null;
            if (key is null || key.Length > UserProperties.MaxKeyLength || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add("property", "must be key:value, the key 1–64 of A–Z a–z 0–9 - _ .");
            }
        }

        var search = QueryParameters.Filter(q);
        if (search?.Length > 200)
        {
            errors.Add("q", "must be at most 200 characters");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var page = await store.ListUsersAsync(http.User.GetProjectId(), new UserQuery(search, key, value, pageSize, after), ct);
        return TypedResults.Ok(new UserListResponse(page.Users.Select(UserResponse.From).ToList(),
            page.Next is { } next ? TimeIdCursor.Encode(next.LastSeen, next.UserId) : null));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(HttpContext http, string userId, IUserStore store, CancellationToken ct) =>
        await store.GetUserAsync(http.User.GetProjectId(), userId, ct) is { } user
            ? TypedResults.Ok(UserResponse.From(user))
            : NotFound(userId);

    private static async Task<Results<Ok<JourneyResponse>, ValidationProblem, ProblemHttpResult>> JourneyAsync(
        HttpContext http, string userId, IUserStore users, IEventStore events, string? limit, string? cursor, string? from, string? to, CancellationToken ct)
    {
        if (await users.GetUserAsync(http.User.GetProjectId(), userId, ct) is not { } user)
        {
            return NotFound(userId);
        }

        var listed = await EventQueryEndpoints.ListEvents(http, events, limit, cursor, null, null, null, userId, null, null, from, to, null, null, ct);
        if (listed.Result is not Ok<EventListResponse> { Value: { } page })
        {
            return (ValidationProblem)listed.Result;
        }

        var contexts = page.Events.Select(e => e.ContextId).OfType<string>().Distinct().ToList();
        return TypedResults.Ok(new JourneyResponse(UserResponse.From(user), page.Events, contexts, page.NextCursor));
    }

    private static async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> GetGroupAsync(HttpContext http, string groupId, IUserStore store, CancellationToken ct) =>
        await store.GetGroupAsync(http.User.GetProjectId(), groupId, ct) is { } group
            ? TypedResults.Ok(GroupResponse.From(group))
            : ApiProblems.NotFound($"No group with id '{groupId}' in this project.");

    private static ProblemHttpResult NotFound(string userId) =>
        ApiProblems.NotFound($"No user with id '{userId}' in this project: users appear with their first live event that has this userId, or when identified.");
}
