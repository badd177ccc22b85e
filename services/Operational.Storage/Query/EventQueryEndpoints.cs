using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Contracts.Api;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.Storage.Events;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Query;

/// <summary><c>GET /v1/events</c>, <c>GET /v1/events/{id}</c> and <c>GET /v1/categories</c>, always within the caller's project.</summary>
public static class EventQueryEndpoints
{
    public const int MaxSearchWords = 8;
    public const int MaxSearchWordLength = 64;

    public static IEndpointRouteBuilder MapEventQueries(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapGroup("/v1/events")
            .RequireAuthorization(Policies.Read)
            .WithTags("Events");
        events.MapGet("", ListEvents).WithName("ListEvents");
        events.MapGet("/{id}", GetEvent).WithName("GetEvent");

        endpoints.MapGet("/v1/categories", ListCategories)
            .RequireAuthorization(Policies.Read)
            .WithTags("Events")
            .WithName("ListCategories");
        return endpoints;
    }

    internal static async Task<Results<Ok<EventListResponse>, ValidationProblem>> ListEvents(
        HttpContext http,
        IEventStore store,
        string? limit,
        string? cursor,
        string? category,
        string? name,
        string? contextId,
        string? userId,
        string? level,
        string? tag,
        string? from,
        string? to,
        string? q,
        string? test,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var pageSize = QueryParameters.Limit(limit, EventQuery.DefaultLimit, EventQuery.MaxLimit, errors);

        EventCursor? after = null;
        if (cursor is not null)
        {
            if (EventCursor.TryDecode(cursor, out var decoded))
            {
                after = decoded;
            }
            else
            {
                errors.Add("cursor", QueryParameters.CursorProblem);
            }
        }

        if (level is not null && !EventLevels.All.Contains(level))
        {
            errors.Add("level", $"must be one of {string.Join(", ", EventLevels.All)}");
        }

        string? tagPair = null;
        if (tag is not null)
        {
            var colon = tag.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                errors.Add("tag", "must be key:value, e.g. tag=plan:pro");
            }
            else
            {
                tagPair = StoredEventJson.TagPair(tag[..colon], tag[(colon + 1)..]);
            }
        }

        var fromTime = QueryParameters.Time(from, "from", errors);
        var toTime = QueryParameters.Time(to, "to", errors);
        var words = q is null ? null : Words(q, errors);
        var testOnly = QueryParameters.Test(test, errors);

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var query = new EventQuery(pageSize, after)
        {
            Test = testOnly,
            Category = QueryParameters.Filter(category),
            Name = QueryParameters.Filter(name),
            ContextId = QueryParameters.Filter(contextId),
            UserId = QueryParameters.Filter(userId),
            Level = level,
            Tag = tagPair,
            From = fromTime,
            To = toTime,
            Words = words,
        };
        var page = await store.ListAsync(http.User.GetProjectId(), query, cancellationToken);
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

    internal static async Task<Results<Ok<CategoryListResponse>, ValidationProblem>> ListCategories(
        HttpContext http,
        IEventStore store,
        string? test,
        CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseTest(test, out var testOnly))
        {
            return ApiProblems.Validation("test", QueryParameters.TestProblem);
        }

        var categories = await store.CategoriesAsync(http.User.GetProjectId(), testOnly, cancellationToken);
        return TypedResults.Ok(new CategoryListResponse(categories.Select(c => new CategoryCountResponse(c.Category, c.Count, c.LastEventAt)).ToList()));
    }

    /// <summary>The letters-and-digits words of a search, as both providers' text indexes tokenize them.</summary>
    private static List<string>? Words(string q, FieldErrors errors)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= q.Length; i++)
        {
            var isWordChar = i < q.Length && char.IsLetterOrDigit(q[i]);
            if (isWordChar && start < 0)
            {
                start = i;
            }
            else if (!isWordChar && start >= 0)
            {
                words.Add(q[start..i]);
                start = -1;
            }
        }

        if (words.Count == 0)
        {
            errors.Add("q", "must contain at least one word");
            return null;
        }

        if (words.Count > MaxSearchWords || words.Any(w => w.Length > MaxSearchWordLength))
        {
            errors.Add("q", $"may have at most {MaxSearchWords} words of at most {MaxSearchWordLength} characters");
            return null;
        }

        return words;
    }
}
