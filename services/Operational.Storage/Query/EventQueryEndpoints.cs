using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.Storage.Events;

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

        if (level is not null && !EventLevels.All.Contains(level))
        {
            errors["level"] = [$"must be one of {string.Join(", ", EventLevels.All)}"];
        }

        string? tagPair = null;
        if (tag is not null)
        {
            var colon = tag.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                errors["tag"] = ["must be key:value, e.g. tag=plan:pro"];
            }
            else
            {
                tagPair = StoredEventJson.TagPair(tag[..colon], tag[(colon + 1)..]);
            }
        }

        var fromTime = Time(from, "from", errors);
        var toTime = Time(to, "to", errors);
        var words = q is null ? null : Words(q, errors);
        if (!TestFlag.TryParse(test, out var testOnly))
        {
            errors["test"] = [TestFlag.Problem];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var query = new EventQuery(pageSize, after)
        {
            Test = testOnly,
            Category = Blank(category),
            Name = Blank(name),
            ContextId = Blank(contextId),
            UserId = Blank(userId),
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
        if (!TestFlag.TryParse(test, out var testOnly))
        {
            return ApiProblems.Validation("test", TestFlag.Problem);
        }

        var categories = await store.CategoriesAsync(http.User.GetProjectId(), testOnly, cancellationToken);
        return TypedResults.Ok(new CategoryListResponse(categories.Select(c => new CategoryCountResponse(c.Category, c.Count, c.LastEventAt)).ToList()));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? Time(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors[field] = ["must be an ISO 8601 date and time, e.g. 2026-11-22T08:00:00Z"];
        return null;
    }

    /// <summary>The letters-and-digits words of a search, as both providers' text indexes tokenize them.</summary>
    private static List<string>? Words(string q, Dictionary<string, string[]> errors)
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
            errors["q"] = ["must contain at least one word"];
            return null;
        }

        if (words.Count > MaxSearchWords || words.Any(w => w.Length > MaxSearchWordLength))
        {
            errors["q"] = [$"may have at most {MaxSearchWords} words of at most {MaxSearchWordLength} characters"];
            return null;
        }

        return words;
    }
}
