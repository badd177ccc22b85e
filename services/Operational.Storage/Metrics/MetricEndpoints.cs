using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Statistics;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Metrics;

/// <summary>A series' statistics: one value per bucket (null where it had no values) and over the whole range.</summary>
public sealed record MetricSeries(string? Group, long Count, IReadOnlyDictionary<string, IReadOnlyList<double?>> Values, IReadOnlyDictionary<string, double?> Total);

public sealed record MetricCatalogEntry(string Name, string Field, IReadOnlyList<string> GroupBy);

/// <param name="Metrics">Event names with numeric tags, and the tags each can be grouped by.</param>
/// <param name="Saved">The project's saved metrics.</param>
public sealed record MetricCatalogResponse(IReadOnlyList<MetricCatalogEntry> Metrics, IReadOnlyList<SavedMetricResponse> Saved);

/// <param name="Name">The event name measured; null for a saved metric.</param>
/// <param name="Metric">The saved metric measured, if one was asked for.</param>
public sealed record MetricResponse(
    string? Name, string Field, string? GroupBy, string Bucket, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> Statistics,
    IReadOnlyList<DateTimeOffset> Buckets, MetricSeries All, IReadOnlyList<MetricSeries> Groups, MetricSeries? Other,
    SavedMetricResponse? Metric = null);

/// <summary>
/// <c>GET /v1/metrics</c>: statistics of a numeric tag — count, sum, avg, min, max, p50, p95, p99 —
/// of one event name, or of a saved metric's events (any conditions), per minute, hour or day, over
/// all events and for the groups (values of another tag) with the most values, the rest as
/// "other". Read from the rollups only: never raw events.
/// </summary>
public static class MetricEndpoints
{
    public const int DefaultTop = 10;
    public const int MaxTop = 50;
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(90);

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/metrics", GetAsync).RequireAuthorization(Policies.Read).WithTags("Metrics").WithName("GetMetrics");
        endpoints.MapGet("/v1/metrics/catalog", CatalogAsync).RequireAuthorization(Policies.Read).WithTags("Metrics").WithName("GetMetricCatalog");
        return endpoints.MapSavedMetrics();
    }

    /// <summary>What can be asked: the event names with numeric tags in the last 30 days, the tags each can be grouped by, and the saved metrics.</summary>
    private static async Task<Ok<MetricCatalogResponse>> CatalogAsync(HttpContext http, IMetricStore store, TimeProvider clock, CancellationToken ct)
    {
        var project = http.User.GetProjectId();
        var rows = await store.CatalogAsync(project, clock.GetUtcNow().AddDays(-30).ToUnixTimeSeconds(), ct);
        return TypedResults.Ok(new MetricCatalogResponse(
            rows.GroupBy(r => (r.Name, r.Field))
                .Select(g => new MetricCatalogEntry(g.Key.Name, g.Key.Field, g.Select(r => r.GroupKey).Where(k => k.Length > 0).ToList()))
                .ToList(),
            (await store.ListSavedMetricsAsync(project, ct)).Select(SavedMetricResponse.From).ToList()));
    }

    private static async Task<Results<Ok<MetricResponse>, ValidationProblem, ProblemHttpResult>> GetAsync(
        HttpContext http, IMetricStore store, TimeProvider clock, string? name, string? field, string? metric, string? fn, string? groupBy, string? bucket,
        string? from, string? to, string? top, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var group = QueryParameters.Filter(groupBy);
        SavedMetric? saved = null;
        if (QueryParameters.Filter(metric) is { } key)
        {
            if (name is not null || field is not null)
            {
                errors.Add("metric", "takes the place of name and field: give either metric, or name and field");
            }
            else if (await SavedMetricEndpoints.FindAsync(store, http.User.GetProjectId(), key, ct) is not { } found)
            {
                return SavedMetricEndpoints.NotFound(key);
            }
            else if (group is not null && group != found.GroupBy)
            {
                errors.Add("groupBy", found.GroupBy is null
                    ? $"saved metric '{key}' is not grouped"
                    : $"saved metric '{key}' is grouped by {found.GroupBy} only (or leave groupBy out for its groups)");
            }
            else
            {
                saved = found;
                group = found.GroupBy;
            }
        }
        else
        {
            if (QueryParameters.Filter(name) is null)
            {
                errors.Add("name", "is required (or metric): the event name whose numeric tag to read");
            }

            if (!TagKeys.IsValid(QueryParameters.Filter(field)))
            {
                errors.Add("field", $"is required (or metric): a numeric tag's key ({TagKeys.Described})");
            }

            if (group is not null && !TagKeys.IsValid(group))
            {
                errors.Add("groupBy", $"must be a tag's key ({TagKeys.Described})");
            }
        }

        var statistics = (QueryParameters.Filter(fn) ?? "count,avg,p50,p95,p99").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        if (statistics.Count == 0 || statistics.Any(s => !MetricAggregate.Statistics.Contains(s)))
        {
            errors.Add("fn", $"must be one or more of {string.Join(", ", MetricAggregate.Statistics)}, comma-separated");
        }

        var resolution = Resolution.Hour;
        if (bucket is not null && !Resolutions.TryParse(bucket, out resolution))
        {
            errors.Add("bucket", "must be minute, hour or day");
        }

        var limit = QueryParameters.Limit(top, DefaultTop, MaxTop, errors);
        errors.Rename("limit", "top");
        var now = clock.GetUtcNow();
        var end = QueryParameters.Time(to, "to", errors) ?? now;
        var start = QueryParameters.Time(from, "from", errors) ?? end.AddDays(-1);
        if (errors.IsEmpty)
        {
            if (start >= end)
            {
                errors.Add("from", "must be before to");
            }
            else if (end - start > MaxRange)
            {
                errors.Add("from", $"the range is at most {MaxRange.TotalDays:0} days");
            }
            else if (start < now - resolution.Kept())
            {
                errors.Add("from", $"{bucket ?? "hour"} buckets are kept for {resolution.Kept().TotalDays:0} days; ask for a coarser bucket or a later start");
            }
            else if ((end - start).TotalSeconds / resolution.Seconds() > 5000)
            {
                errors.Add("bucket", "gives more than 5,000 buckets over this range; ask for a coarser one");
            }
            else if (resolution == Resolution.Minute && group is not null && saved is null)
            {
                errors.Add("bucket", "minute buckets of an event name are kept over all events, not per group: ask for hour or day buckets with groupBy, or save a metric (its groups have minutes)");
            }
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var step = resolution.Seconds();
        var first = RollupFolding.BucketOf(start, resolution);
        var last = end.ToUnixTimeSeconds();
        var buckets = new List<long>();
        for (var b = first; b < last; b += step)
        {
            buckets.Add(b);
        }

        var series = saved is not null
            ? new SeriesSelector(http.User.GetProjectId(), saved.SeriesName, saved.Field, "")
            : new SeriesSelector(http.User.GetProjectId(), name!.Trim(), field!.Trim(), "");
        var (all, groups, other) = await QueryAsync(store, series, group, resolution, first, last, buckets, statistics, limit, ct);
        return TypedResults.Ok(new MetricResponse(saved is null ? series.Name : null, series.Field, group, resolution.ToString().ToLowerInvariant(), start, end, statistics,
            buckets.Select(b => DateTimeOffset.FromUnixTimeSeconds(b)).ToList(), all, groups, other, saved is null ? null : SavedMetricResponse.From(saved)));
    }

    /// <summary>
    /// The series of a query from the rollups: the whole, the <paramref name="top"/> groups with the
    /// most values, and the rest. What the endpoint answers, and what the benchmark times.
    /// </summary>
    public static async Task<(MetricSeries All, IReadOnlyList<MetricSeries> Groups, MetricSeries? Other)> QueryAsync(IMetricStore store, SeriesSelector series, string? groupBy,
        Resolution resolution, long first, long last, List<long> buckets, List<string> statistics, int top, CancellationToken ct)
    {
        var all = await store.ReadSeriesAsync(series, "", resolution, first, last, ct);
        var groups = new List<(string Group, IReadOnlyList<RollupRow> Rows)>();
        MetricSeries? other = null;
        if (groupBy is not null)
        {
            var grouped = series with { GroupKey = groupBy };
            // Over two days or more, groups are ranked by their days (one row per group and day, not 24):
            // the whole days the range touches, so the ranking, not the figures, may count a few hours more.
            var (rankBy, rankFirst, rankLast) = resolution == Resolution.Hour && last - first >= 2 * 86400
                ? (Resolution.Day, first - (first % 86400), last)
                : (resolution, first, last);
            foreach (var (value, _) in await store.RankGroupsAsync(grouped, rankBy, rankFirst, rankLast, top, ct))
            {
                groups.Add((value, await store.ReadSeriesAsync(grouped, value, resolution, first, last, ct)));
            }

            other = Other(all, groups.Select(g => g.Rows), buckets, statistics);
        }

        return (Series(null, all, buckets, statistics), groups.Select(g => Series(g.Group, g.Rows, buckets, statistics)).ToList(), other);
    }

    /// <summary>The whole minus the shown groups, bucket by bucket: exact, because sketches are counts.</summary>
    private static MetricSeries? Other(IReadOnlyList<RollupRow> all, IEnumerable<IReadOnlyList<RollupRow>> shown, List<long> buckets, List<string> statistics)
    {
        var parts = new Dictionary<long, MetricAggregate>();
        foreach (var row in shown.SelectMany(rows => rows))
        {
            if (!parts.TryGetValue(row.BucketStart, out var part))
            {
                parts[row.BucketStart] = part = new MetricAggregate();
            }

            part.Merge(row.Aggregate);
        }

        var rest = all
            .Select(row => new RollupRow("", row.BucketStart, parts.TryGetValue(row.BucketStart, out var part) ? row.Aggregate.Without(part) : row.Aggregate))
            .Where(row => row.Aggregate.Count > 0)
            .ToList();
        return rest.Count == 0 ? null : Series("(other)", rest, buckets, statistics);
    }

    private static MetricSeries Series(string? group, IReadOnlyList<RollupRow> rows, List<long> buckets, List<string> statistics)
    {
        var byBucket = rows.ToDictionary(r => r.BucketStart, r => r.Aggregate);
        var total = new MetricAggregate();
        foreach (var row in rows)
        {
            total.Merge(row.Aggregate);
        }

        var values = statistics.ToDictionary(s => s, s => (IReadOnlyList<double?>)buckets.Select(b => byBucket.TryGetValue(b, out var a) ? Round(a.Statistic(s)) : null).ToList());
        return new MetricSeries(group, total.Count, values, statistics.ToDictionary(s => s, s => Round(total.Statistic(s))));
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 6) : null;

}
