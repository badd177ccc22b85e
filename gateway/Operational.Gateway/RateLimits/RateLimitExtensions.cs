using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Telemetry;

namespace Operational.Gateway.RateLimits;

/// <summary>
/// Limits every caller of the gateway: each API key (or signed-in operator) to its own token
/// bucket, and each client address to a small one for calls to authenticated endpoints without
/// valid credentials, so an ingest key shipped in an app cannot flood the installation (or its
/// operators' phones) and keys cannot be guessed at speed. Open endpoints (the dashboard's files,
/// health, sign-in with its own throttle) are not limited here. A refused call gets 429 with
/// <c>Retry-After</c>; refusals are counted in <c>operational.ratelimit.rejections</c>.
/// </summary>
public static class RateLimitExtensions
{
    private static readonly Meter Meter = new(TelemetryExtensions.SourceName);
    private static readonly Counter<long> Rejections = Meter.CreateCounter<long>(
        "operational.ratelimit.rejections", "{request}", "Requests refused with 429 by the gateway's rate limits, by limit (key or address).");

    public static IHostApplicationBuilder AddGatewayRateLimits(this IHostApplicationBuilder builder)
    {
        var options = builder.BindValidated<RateLimitOptions, RateLimitOptionsValidator>(RateLimitOptions.SectionName);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, options));
            limiter.OnRejected = OnRejectedAsync;
        });
        // Between authentication (the caller's key is known) and authorization (calls without valid credentials count too).
        builder.Services.AddRateLimitedPipeline();
        return builder;
    }

    private static RateLimitPartition<string> Partition(HttpContext http, RateLimitOptions options)
    {
        var endpoint = http.GetEndpoint();
        var open = endpoint is null || endpoint.Metadata.GetMetadata<IAuthorizeData>() is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
        if (!options.Enabled || open)
        {
            return RateLimitPartition.GetNoLimiter("open");
        }

        if (http.User.ToCallerIdentity() is { } caller)
        {
            return RateLimitPartition.GetTokenBucketLimiter("key:" + caller.KeyId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.PerKeyBurst,
                TokensPerPeriod = options.PerKeyPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            });
        }

        return RateLimitPartition.GetTokenBucketLimiter("address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.UnauthenticatedBurst,
            TokensPerPeriod = Math.Max(1, options.UnauthenticatedPerMinute / 12),
            ReplenishmentPeriod = TimeSpan.FromSeconds(5),
            QueueLimit = 0,
        });
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var byKey = http.User.ToCallerIdentity() is not null;
        Rejections.Add(1, new KeyValuePair<string, object?>("limit", byKey ? "key" : "address"));
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var detail = byKey
            ? $"This API key made more requests than its rate limit allows (RateLimits:PerKeyPerSecond). Retry after {retryAfter} s, or send events in batches (POST /v1/events/batch)."
            : $"Too many requests without valid credentials from this address. Retry after {retryAfter} s with a valid API key.";
        await ApiProblems.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests.", detail);
    }
}
