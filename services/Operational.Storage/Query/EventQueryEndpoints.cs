using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.Storage.Events;

namespace Operational.Storage.Query;

/// <summary><c>GET /v1/events</c> and <c>GET /v1/events/{id}</c>, always within the caller's project.</summary>
public static class EventQueryEndpoints
{
    public static RouteGroupBuilder MapEventQueries(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/events")
            .RequireAuthorization(Policies.Read)
            .WithTags("Events");

        group.MapGet("", ListEvents).WithName("ListEvents");
        group.MapGet("/{id}", GetEvent).WithName("GetEvent");
        return group;
    }

    internal static async Task<Results<Ok<EventListResponse>, ValidationProblem>> ListEvents(
        HttpContext http,
        IEventStore store,
        string? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var pageSize = EventQuery.DefaultLimit;
        if (limit is not null &&
            (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > EventQuery.MaxLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {EventQuery.MaxLimit}"];
        }

        EventCursor? after = null;
        if (cursor is not null)
        {
            if (EventCursor.TryDecode(cursor, out var decoded))
            {
                after = decoded;
            }
            else
            {
                errors["cursor"] = ["is not a cursor this API returned; pass the 'nextCursor' of a previous page unchanged"];
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var page = await store.ListAsync(http.User.GetProjectId(), new EventQuery(pageSize, after), cancellationToken);
        return TypedResults.Ok(new EventListResponse(
            page.Events.Select(EventResponse.From).ToList(),
            page.Next?.Encode()));
    }

    internal static async Task<Results<Ok<EventResponse>, ProblemHttpResult>> GetEvent(
        HttpContext http,
        IEventStore store,
        string id,
        CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(http.User.GetProjectId(), id, cancellationToken);
        return stored is null
            ? ApiProblems.NotFound($"No event with id '{id}' in this project.")
            : TypedResults.Ok(EventResponse.From(stored));
    }
}
