using System.Globalization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Operational.Gateway.Identity;
using Operational.Gateway.Pings;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Gateway.Badges;

/// <summary>
/// <c>/badge/{badgeKey}/{slug or tag}.svg</c>: a check's status (or the worst of a tag's) as an SVG
/// badge for a README. The key (scope <c>badge</c>) is in the URL for anyone to see, so it shows
/// statuses and nothing else; an unknown key and an unknown name are the same 404.
/// </summary>
public static class BadgeEndpoints
{
    public static IEndpointRouteBuilder MapBadges(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/badge/{badgeKey}/{file}", ["GET", "HEAD"], BadgeAsync).AllowAnonymous().WithTags("Checks").WithName("CheckBadge")
            .Produces<string>(StatusCodes.Status200OK, "image/svg+xml")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> BadgeAsync(
        HttpContext http,
        string badgeKey,
        string file,
        IIdentityStore identities,
        IMemoryCache cache,
        IOptionsMonitor<ApiKeyAuthenticationOptions> keyOptions,
        PingLimiter limiter)
    {
        const string Suffix = ".svg";
        var notFound = ApiProblems.NotFound("No badge here: the URL is /badge/{badge key}/{check slug or tag}.svg, with a key of scope badge.");
        if (!file.EndsWith(Suffix, StringComparison.Ordinal) || file.Length == Suffix.Length || badgeKey.Length > 256)
        {
            return notFound;
        }

        if (!limiter.TryAcquire(http, "badge:" + badgeKey, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            return ApiProblems.Status(StatusCodes.Status429TooManyRequests, "Too many badge requests.", $"Retry after {retryAfter} s.");
        }

        var key = await ApiKeyAuthenticationHandler.FindAsync(badgeKey, identities, cache, keyOptions.Get(ApiKeyAuthenticationHandler.SchemeName).CacheDuration, http.RequestAborted);
        if (key is not { RevokedAt: null } || !key.Scopes.Contains(ApiScopes.Badge) || http.RequestServices.GetService<IJobChecks>() is not { } checks)
        {
            return notFound;
        }

        var name = file[..^Suffix.Length];
        string? state;
        try
        {
            state = CheckBadge.StateOf(await checks.StatusesAsync(key.ProjectId, http.RequestAborted), name);
        }
        catch (ServiceApiUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "5";
            return ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Badge unavailable.", e.Message);
        }

        if (state is null)
        {
            return notFound;
        }

        // Image proxies (GitHub's camo) cache what they may: a badge must follow the check.
        http.Response.Headers.CacheControl = "no-cache, max-age=0";
        return TypedResults.Text(CheckBadge.Svg(name, state), "image/svg+xml; charset=utf-8");
    }
}
