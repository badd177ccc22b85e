using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Operational.Contexts.Tracking;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.ServiceApis;
using Operational.ServiceDefaults.Validation;

namespace Operational.Contexts.Query;

/// <summary><c>GET /v1/contexts</c> and <c>GET /v1/contexts/{contextId}</c>, always within the caller's project.</summary>
public static class ContextEndpoints
{
    public const int MaxTitleSearchLength = 200;

    public static IEndpointRouteBuilder MapContextQueries(this IEndpointRouteBuilder endpoints)
    {
        var contexts = endpoints.MapGroup("/v1/contexts")
            .RequireAuthorization(Policies.Read)
            .WithTags("Contexts");
        contexts.MapGet("", ListContexts).WithName("ListContexts");
        contexts.MapGet("/{contextId}", GetContext).WithName("GetContext");
        return endpoints;
    }

    internal static async Task<Results<Ok<ContextListResponse>, ValidationProblem>> ListContexts(
        HttpContext http,
        IContextStore store,
        TimeProvider clock,
        string? status,
        string? category,
        string? from,
        string? to,
        string? q,
        string? test,
        string? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var pageSize = QueryParameters.Limit(limit, ContextQuery.DefaultLimit, ContextQuery.MaxLimit, errors);
        ContextCursor? after = null;
        if (cursor is not null)
        {
            if (ContextCursor.TryDecode(cursor, out var decoded))
            {
                after = decoded;
            }
            else
            {
                errors.Add("cursor", QueryParameters.CursorProblem);
            }
        }

        if (status is not null && !ContextStatus.All.Contains(status))
        {
            errors.Add("status", $"must be one of {string.Join(", ", ContextStatus.All)}");
        }

        var title = QueryParameters.Filter(q);
        if (title is { Length: > MaxTitleSearchLength })
        {
            errors.Add("q", $"may have at most {MaxTitleSearchLength} characters");
        }

        var query = new ContextQuery(pageSize, after)
        {
            Status = status,
            Category = QueryParameters.Filter(category),
            From = QueryParameters.Time(from, "from", errors),
            To = QueryParameters.Time(to, "to", errors),
            TitleContains = title,
            Test = QueryParameters.Test(test, errors),
        };
        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var now = clock.GetUtcNow();
        var page = await store.ListAsync(http.User.GetProjectId(), query, now, cancellationToken);
        return TypedResults.Ok(new ContextListResponse(page.Contexts.Select(c => ContextResponse.From(c, now)).ToList(), page.Next?.Encode()));
    }

    internal static async Task<Results<Ok<ContextDetailResponse>, ProblemHttpResult>> GetContext(
        HttpContext http,
        string contextId,
        IContextStore store,
        IContextEventSource events,
        IOptions<ContextsOptions> options,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var projectId = http.User.GetProjectId();
        var record = await store.GetAsync(projectId, contextId, cancellationToken);
        if (record is null)
        {
            return ApiProblems.NotFound($"No context with id '{contextId}' in this project. A context exists once an event with this contextId was received.");
        }

        var context = ContextResponse.From(record, clock.GetUtcNow());
        var request = new ContextEventsRequest(projectId, contextId, record.State.Test, options.Value.MaxEventsShown,
            http.Request.Headers[GatewayIdentityToken.HeaderName].FirstOrDefault());
        try
        {
            var found = await events.ReadAsync(request, cancellationToken);
            return TypedResults.Ok(new ContextDetailResponse(context, found.Events, found.Truncated, null));
        }
        catch (ServiceApiUnavailableException e)
        {
            loggers.CreateLogger(typeof(ContextEndpoints)).LogWarning(e, "Answered context {ContextId} without its events", contextId);
            return TypedResults.Ok(new ContextDetailResponse(context, null, false, e.Message));
        }
    }
}
