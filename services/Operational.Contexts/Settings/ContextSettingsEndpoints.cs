using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Operational.Contexts.Query;
using Operational.Contexts.Tracking;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;

namespace Operational.Contexts.Settings;

/// <summary>
/// <c>GET</c> (read) and <c>PUT /v1/context-settings</c> (admin): the caller's project's default
/// timeout, used by contexts whose events declare no <c>contextTimeout</c>.
/// </summary>
public static class ContextSettingsEndpoints
{
    public static IEndpointRouteBuilder MapContextSettings(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/context-settings", GetAsync).RequireAuthorization(Policies.Read).WithTags("Contexts").WithName("GetContextSettings");
        endpoints.MapPut("/v1/context-settings", PutAsync).RequireAuthorization(Policies.Admin).WithTags("Contexts").WithName("SetContextSettings").WithJsonBodyLimit(1024);
        return endpoints;
    }

    private static async Task<Ok<ContextSettingsResponse>> GetAsync(HttpContext http, IContextStore store, IOptions<ContextsOptions> options, CancellationToken ct)
    {
        var own = await store.GetDefaultTimeoutAsync(http.User.GetProjectId(), ct);
        return TypedResults.Ok(new ContextSettingsResponse(own ?? options.Value.DefaultTimeoutSeconds, own is not null));
    }

    private static async Task<Results<Ok<ContextSettingsResponse>, ValidationProblem>> PutAsync(
        HttpContext http, JsonBody<ContextSettingsRequest> body, IContextStore store, CancellationToken ct)
    {
        var request = body.Value;
        var max = (int)ContextsOptions.MaxTimeout.TotalSeconds;
        if (request.DefaultTimeoutSeconds is not { } seconds || seconds < 1 || seconds > max)
        {
            return ApiProblems.Validation("defaultTimeoutSeconds", $"is required: a whole number of seconds from 1 to {max} (30 days)");
        }

        await store.SetDefaultTimeoutAsync(http.User.GetProjectId(), seconds, ct);
        return TypedResults.Ok(new ContextSettingsResponse(seconds, true));
    }
}
