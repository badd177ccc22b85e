using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.Storage.Events;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Retention;

public sealed record RetentionResponse(int LiveDays, int TestDays, bool ProjectSpecific);

public sealed record RetentionRequest(int? LiveDays, int? TestDays);

/// <summary><c>GET</c> (read) and <c>PUT /v1/retention</c> (admin): how long the caller's project keeps its live and test events.</summary>
public static class RetentionEndpoints
{
    public static IEndpointRouteBuilder MapRetention(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/retention", GetAsync).RequireAuthorization(Policies.Read).WithTags("Retention").WithName("GetRetention");
        endpoints.MapPut("/v1/retention", PutAsync).RequireAuthorization(Policies.Admin).WithTags("Retention").WithName("SetRetention").WithJsonBodyLimit(1024);
        return endpoints;
    }

    private static async Task<Ok<RetentionResponse>> GetAsync(HttpContext http, IEventStore store, IOptions<RetentionOptions> options, CancellationToken ct)
    {
        var own = await store.GetRetentionAsync(http.User.GetProjectId(), ct);
        var policy = own ?? options.Value.Defaults;
        return TypedResults.Ok(new RetentionResponse(policy.LiveDays, policy.TestDays, own is not null));
    }

    private static async Task<Results<Ok<RetentionResponse>, ValidationProblem>> PutAsync(
        HttpContext http, JsonBody<RetentionRequest> body, IEventStore store, IOptions<RetentionOptions> options, CancellationToken ct)
    {
        var request = body.Value;
        var errors = new FieldErrors();
        Check(request.LiveDays, "liveDays", errors);
        Check(request.TestDays, "testDays", errors);
        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var policy = new RetentionPolicy(request.LiveDays!.Value, request.TestDays!.Value);
        await store.SetRetentionAsync(http.User.GetProjectId(), policy, ct);
        return TypedResults.Ok(new RetentionResponse(policy.LiveDays, policy.TestDays, true));
    }

    private static void Check(int? days, string field, FieldErrors errors)
    {
        if (days is not (>= 1 and <= RetentionPolicy.MaxDays))
        {
            errors.Add(field, $"is required: a whole number of days from 1 to {RetentionPolicy.MaxDays}");
        }
    }
}
