using Microsoft.AspNetCore.Http.HttpResults;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.Storage.Events;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Volume;

/// <summary>One key's counts, one per bucket, oldest first.</summary>
public sealed record VolumeSeries(string Key, long Total, IReadOnlyList<long> Counts);

/// <summary>
/// Event counts per bucket for the busiest keys; <see cref="Other"/> sums the rest, so the
/// series always add up to <see cref="Total"/>.
/// </summary>
public sealed record VolumeResponse(
    string By,
    string Range,
    DateTimeOffset From,
    DateTimeOffset To,
    int BucketSeconds,
    long Total,
    IReadOnlyList<VolumeSeries> Series,
    VolumeSeries? Other);

/// <summary>
/// <c>GET /v1/volume</c>: event volume per category or per event name over the last 24 hours
/// (hourly buckets) or 7 days (6-hour buckets), aligned to whole buckets in UTC so that
/// repeated calls draw the same bars.
/// </summary>
public static class VolumeEndpoints
{
    public const int DefaultSeries = 8;
    public const int MaxSeries = 50;

    private static readonly Dictionary<string, (TimeSpan Bucket, int Buckets)> Ranges = new(StringComparer.Ordinal)
    {
        ["24h"] = (TimeSpan.FromHours(1), 24),
        ["7d"] = (TimeSpan.FromHours(6), 28),
    };

    public static IEndpointRouteBuilder MapVolume(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/volume", GetVolumeAsync)
            .RequireAuthorization(Policies.Read)
            .WithTags("Events")
            .WithName("GetEventVolume");
        return endpoints;
    }

    internal static async Task<Results<Ok<VolumeResponse>, ValidationProblem>> GetVolumeAsync(
        HttpContext http, IEventStore store, TimeProvider clock, string? by, string? range, string? limit, string? test, CancellationToken ct)
    {
        var errors = new FieldErrors();
        by ??= "category";
        VolumeKey? key = by switch { "category" => VolumeKey.Category, "name" => VolumeKey.Name, _ => null };
        if (key is null)
        {
            errors.Add("by", "must be category or name");
        }

        range ??= "24h";
        if (!Ranges.TryGetValue(range, out var shape))
        {
            errors.Add("range", $"must be one of {string.Join(", ", Ranges.Keys)}");
        }

        var seriesLimit = QueryParameters.Limit(limit, DefaultSeries, MaxSeries, errors);
        var testOnly = QueryParameters.Test(test, errors);
        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var bucketMs = (long)shape.Bucket.TotalMilliseconds;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var to = DateTimeOffset.FromUnixTimeMilliseconds((now / bucketMs + 1) * bucketMs);
        var from = to - shape.Bucket * shape.Buckets;
        var counts = await store.VolumeAsync(http.User.GetProjectId(), testOnly, key!.Value, from, to, shape.Bucket, ct);

        var series = counts
            .Where(c => c.Bucket >= 0 && c.Bucket < shape.Buckets)
            .GroupBy(c => c.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var perBucket = new long[shape.Buckets];
                foreach (var c in g)
                {
                    perBucket[c.Bucket] += c.Count;
                }

                return new VolumeSeries(g.Key, perBucket.Sum(), perBucket);
            })
            .OrderByDescending(s => s.Total)
            .ThenBy(s => s.Key, StringComparer.Ordinal)
            .ToList();

        var top = series.Take(seriesLimit).ToList();
        var rest = series.Skip(seriesLimit).ToList();
        VolumeSeries? other = null;
        if (rest.Count > 0)
        {
            var sum = new long[shape.Buckets];
            foreach (var s in rest)
            {
                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += s.Counts[i];
                }
            }

            other = new VolumeSeries($"{rest.Count} more", sum.Sum(), sum);
        }

        return TypedResults.Ok(new VolumeResponse(by, range, from, to, (int)shape.Bucket.TotalSeconds, series.Sum(s => s.Total), top, other));
    }
}
