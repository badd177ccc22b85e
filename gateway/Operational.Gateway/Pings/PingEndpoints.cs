using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Operational.Contracts.Checks;
using Operational.Contracts.Events;
using Operational.Gateway.Identity;
using Operational.Gateway.Ingest;
using Operational.Ids;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.ServiceApis;
using Operational.ServiceDefaults.Time;

namespace Operational.Gateway.Pings;

/// <summary>
/// <c>/ping/…</c>: Healthchecks' pinging API, so a crontab line moves here by changing its host.
/// No <c>Authorization</c> header: the check's UUID, or the project's ping key, in the URL is the
/// secret. Every ping becomes an ordinary event (category <c>checks</c>) in its run's context, and
/// is answered as Healthchecks answers: <c>OK</c>, <c>Created</c>, <c>not found</c> as text.
/// </summary>
public static class PingEndpoints
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST"];

    public static IEndpointRouteBuilder MapPings(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/ping/{**rest}", Methods, PingAsync).AllowAnonymous().WithTags("Pings").WithName("Ping")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Produces<string>(StatusCodes.Status201Created, "text/plain")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/plain")
            .Produces<string>(StatusCodes.Status404NotFound, "text/plain")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    public static IServiceCollection AddPings(this IServiceCollection services)
    {
        services.AddSingleton<PingLimiter>();
        return services;
    }

    internal static async Task<IResult> PingAsync(
        HttpContext http,
        string? rest,
        IOptions<PingOptions> options,
        IngestPublisher publisher,
        IOptions<IngestOptions> ingest,
        IIdentityStore identities,
        IMemoryCache cache,
        IOptionsMonitor<ApiKeyAuthenticationOptions> keyOptions,
        PingLimiter limiter,
        TimeProvider clock)
    {
        var settings = options.Value;
        if (PingRoute.Parse(rest, out var error) is not { } route)
        {
            return error == PingRoute.Error.InvalidUrl ? Text(http, StatusCodes.Status400BadRequest, "invalid url format", settings) : NotFound(http, settings);
        }

        var rid = http.Request.Query["rid"].ToString();
        if (http.Request.Query.ContainsKey("rid") && !PingRoute.IsUuid(rid))
        {
            return Text(http, StatusCodes.Status400BadRequest, "invalid uuid format", settings);
        }

        if (!limiter.TryAcquire(http, "ping:" + (route.PingId ?? $"{route.PingKey}/{route.Slug}"), out var retryAfter))
        {
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            return ApiProblems.Status(StatusCodes.Status429TooManyRequests, "Too many pings.",
                $"This check was pinged more often than Pings:PerCheckPerMinute allows (or this address pinged more than Pings:PerAddressPerMinute). Retry after {retryAfter} s.");
        }

        string? projectId = null;
        if (route.PingKey is { } pingKey)
        {
            // Only a live key with the ping scope names a project here; anything else is a check that does not exist.
            var key = pingKey.Length <= 256 ? await ApiKeyAuthenticationHandler.FindAsync(pingKey, identities, cache, keyOptions.Get(ApiKeyAuthenticationHandler.SchemeName).CacheDuration, http.RequestAborted) : null;
            if (key is not { RevokedAt: null } || !key.Scopes.Contains(ApiScopes.Ping))
            {
                return NotFound(http, settings);
            }

            projectId = key.ProjectId;
        }

        var (output, truncated) = await ReadOutputAsync(http.Request, settings.MaxBodyBytes, http.RequestAborted);
        var now = clock.GetUtcNowMs();
        var ping = new CheckPing(route.PingId, projectId, route.Slug, http.Request.Query["create"] == "1", route.Signal, route.ExitStatus,
            rid.Length > 0 ? rid.ToLowerInvariant() : null, now, output);
        if (http.RequestServices.GetService<IJobChecks>() is not { } checks)
        {
            return Unavailable(http, "This gateway has no rules service to hand pings to.");
        }

        CheckPingReceipt receipt;
        try
        {
            receipt = await checks.PingAsync(ping, http.RequestAborted);
        }
        catch (ServiceApiUnavailableException e)
        {
            return Unavailable(http, $"The ping was not recorded: {e.Message} Retry shortly (curl --retry 3).");
        }

        switch (receipt.Outcome)
        {
            case PingOutcomes.NotFound:
                return NotFound(http, settings);
            case PingOutcomes.TooMany:
                return ApiProblems.Status(StatusCodes.Status409Conflict, "Too many checks.",
                    "The project has as many rules and checks as Rules:MaxRulesPerProject allows: the check was not created. Delete one, or create it with POST /v1/checks.");
        }

        var pingEvent = Event(receipt, ping, truncated, settings.MaxBodyBytes);
        var outcome = await publisher.PublishAsync(pingEvent, Encoding.UTF8.GetByteCount(output ?? "") + 512);
        if (outcome != IngestOutcome.Accepted)
        {
            return IngestEndpoints.Refused(http, outcome, ingest.Value.RetryAfterSeconds);
        }

        return receipt.Outcome == PingOutcomes.Created
            ? Text(http, StatusCodes.Status201Created, "Created", settings)
            : Text(http, StatusCodes.Status200OK, "OK", settings);
    }

    /// <summary>The ping as an event: its run's context, its outcome as level and tags, its body as content.</summary>
    internal static IngestedEvent Event(CheckPingReceipt receipt, CheckPing ping, bool truncated, int maxBodyBytes)
    {
        var tags = new Dictionary<string, JsonElement>
        {
            ["check"] = JsonSerializer.SerializeToElement(receipt.CheckId),
            ["signal"] = JsonSerializer.SerializeToElement(ping.Signal),
        };
        if (ping.ExitStatus is { } exitStatus)
        {
            tags["exitStatus"] = JsonSerializer.SerializeToElement(exitStatus);
        }

        if (receipt.DurationMs is { } duration)
        {
            tags["durationMs"] = JsonSerializer.SerializeToElement(duration);
        }

        var (level, avatar) = ping.Signal switch
        {
            PingSignals.Start => (EventLevels.Info, "▶️"),
            PingSignals.Success => (EventLevels.Success, "✅"),
            PingSignals.Fail => (EventLevels.Error, "❌"),
            _ => (EventLevels.Info, "📝"),
        };
        return new IngestedEvent(EventIds.New(ping.At), receipt.ProjectId!, receipt.CheckName!, avatar, "checks",
            ping.Output is null ? null : JsonSerializer.SerializeToElement(ping.Output), ping.At, ping.At)
        {
            Level = level,
            Tags = tags,
            ContextId = receipt.RunId,
            ContextStart = receipt.RunStarts,
            ContextEnd = receipt.RunEnds,
            Warnings = truncated ? [new EventWarning("content", $"the ping's body was cut to its first {maxBodyBytes} bytes (Pings:MaxBodyBytes), as Healthchecks does")] : null,
        };
    }

    /// <summary>The body's first <paramref name="limit"/> bytes as text (invalid UTF-8 replaced), and whether there was more.</summary>
    internal static async Task<(string? Output, bool Truncated)> ReadOutputAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return (null, false); // most pings: nothing to read
        }

        // Never more than the limit and one byte (to know there was more), whatever the body says its length is.
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var read = 0;
            while (read < limit + 1)
            {
                var n = await request.Body.ReadAsync(buffer.AsMemory(read, limit + 1 - read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            var kept = Math.Min(read, limit);
            return (kept == 0 ? null : Encoding.UTF8.GetString(buffer, 0, kept), read > limit);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IResult NotFound(HttpContext http, PingOptions settings) => Text(http, StatusCodes.Status404NotFound, "not found", settings);

    private static IResult Text(HttpContext http, int status, string body, PingOptions settings)
    {
        // As Healthchecks answers: browsers may ping from any page, and clients learn how much body is kept.
        http.Response.Headers.AccessControlAllowOrigin = "*";
        http.Response.Headers["Ping-Body-Limit"] = settings.MaxBodyBytes.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Text(body, "text/plain; charset=utf-8", Encoding.UTF8, status);
    }

    private static IResult Unavailable(HttpContext http, string detail)
    {
        http.Response.Headers.RetryAfter = "5";
        return ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Ping not recorded.", detail);
    }
}

/// <summary>
/// Each check (its UUID, or its ping key and slug), and each badge key, gets its own token bucket,
/// so a runaway loop pinging one check harms no other; and each client address one for all it asks,
/// so inventing UUIDs or keys does not get past the first.
/// </summary>
public sealed class PingLimiter(IOptions<PingOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perTarget = PartitionedRateLimiter.Create<string, string>(target =>
        RateLimitPartition.GetTokenBucketLimiter(target, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.PerCheckBurst,
            TokensPerPeriod = Math.Max(1, options.Value.PerCheckPerMinute / 12),
            ReplenishmentPeriod = TimeSpan.FromSeconds(5),
            QueueLimit = 0,
        }));

    private readonly PartitionedRateLimiter<string> _perAddress = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.PerAddressPerMinute,
            TokensPerPeriod = Math.Max(1, options.Value.PerAddressPerMinute / 12),
            ReplenishmentPeriod = TimeSpan.FromSeconds(5),
            QueueLimit = 0,
        }));

    /// <param name="partition">The check (or badge key) the request is for.</param>
    public bool TryAcquire(HttpContext http, string partition, out int retryAfterSeconds)
    {
        using var byAddress = _perAddress.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        using var byTarget = byAddress.IsAcquired ? _perTarget.AttemptAcquire(partition) : null;
        var refused = byTarget is { IsAcquired: true } ? null : byTarget ?? byAddress;
        retryAfterSeconds = refused?.TryGetMetadata(MetadataName.RetryAfter, out var wait) == true ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 5;
        return refused is null;
    }

    public void Dispose()
    {
        _perTarget.Dispose();
        _perAddress.Dispose();
    }
}
