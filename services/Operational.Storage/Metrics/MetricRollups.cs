using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Statistics;

namespace Operational.Storage.Metrics;

/// <summary>The time buckets rollups are kept in, and for how long.</summary>
public enum Resolution
{
    Minute,
    Hour,
    Day,
}

public static class Resolutions
{
    public static readonly Resolution[] All = [Resolution.Minute, Resolution.Hour, Resolution.Day];

    public static long Seconds(this Resolution r) => r switch { Resolution.Minute => 60, Resolution.Hour => 3600, _ => 86400 };

    /// <summary>Minutes for two days, hours for 90 days (the longest query), days for 400.</summary>
    public static TimeSpan Kept(this Resolution r) => r switch
    {
        Resolution.Minute => TimeSpan.FromDays(2),
        Resolution.Hour => TimeSpan.FromDays(92),
        _ => TimeSpan.FromDays(400),
    };

    public static string Code(this Resolution r) => r switch { Resolution.Minute => "m", Resolution.Hour => "h", _ => "d" };

    public static bool TryParse(string? text, out Resolution resolution)
    {
        resolution = text switch { "minute" => Resolution.Minute, "hour" => Resolution.Hour, "day" => Resolution.Day, _ => (Resolution)(-1) };
        return (int)resolution >= 0;
    }
}

/// <summary>
/// Which series a value counts in: a numeric tag of one event name, over all events (<see cref="GroupKey"/>
/// empty) or per value of one of the event's other tags, in one time bucket.
/// </summary>
public readonly record struct RollupKey(string ProjectId, string Name, string Field, string GroupKey, string GroupValue, Resolution Resolution, long BucketStart);

/// <summary>
/// Turns stored events into rollup contributions — pure, so both stores fold the same way: each
/// numeric tag of a live event counts under its event name, once over all events and once per
/// value of each of the event's text tags (the group: <c>customer</c>, <c>service</c>), in an
/// hour and a day bucket — and over all events also by minute.
/// </summary>
public static class RollupFolding
{
    /// <summary>Numeric tags folded per event, and tags grouped by, in key order: bounds the work per event.</summary>
    public const int MaxFields = 8;
    public const int MaxGroups = 8;

    /// <summary>Whether folding can take anything from <paramref name="e"/>: every rollup measures a numeric tag.</summary>
    public static bool Measures(IngestedEvent e)
    {
        if (e.Tags is null)
        {
            return false;
        }

        foreach (var (_, value) in e.Tags)
        {
            if (value.ValueKind == JsonValueKind.Number)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Folds <paramref name="e"/> by its name and into the saved metrics it meets.</summary>
    public static void Fold(IngestedEvent e, Dictionary<RollupKey, MetricAggregate> into, SavedMetrics.Set saved)
    {
        saved.Fold(e, into);
        FoldByName(e, into);
    }

    private static void FoldByName(IngestedEvent e, Dictionary<RollupKey, MetricAggregate> into)
    {
        if (e.Test || e.Tags is not { Count: > 0 } tags)
        {
            return;
        }

        List<(string Field, double Value)>? fields = null;
        List<(string Key, string Value)>? groups = null;
        foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
            {
                if ((fields ??= []).Count < MaxFields)
                {
                    fields.Add((key, number));
                }
            }
            else if (value.ValueKind == JsonValueKind.String && (groups ??= []).Count < MaxGroups)
            {
                groups.Add((key, value.GetString()!));
            }
        }

        if (fields is null)
        {
            return;
        }

        foreach (var resolution in Resolutions.All)
        {
            var bucket = BucketOf(e.Timestamp, resolution);
            foreach (var (field, value) in fields)
            {
                Add(into, new RollupKey(e.ProjectId, e.Name, field, "", "", resolution, bucket), value);
                if (resolution == Resolution.Minute)
                {
                    // Per group, minutes would be a rollup per value for nearly every event: groups are kept by hour and day.
                    continue;
                }

                foreach (var (key, group) in groups ?? [])
                {
                    Add(into, new RollupKey(e.ProjectId, e.Name, field, key, group, resolution, bucket), value);
                }
            }
        }
    }

    /// <summary>The start (unix seconds) of the bucket holding <paramref name="at"/>.</summary>
    public static long BucketOf(DateTimeOffset at, Resolution resolution)
    {
        var seconds = at.ToUnixTimeSeconds();
        var size = resolution.Seconds();
        return seconds - (((seconds % size) + size) % size);
    }

    public static void Add(Dictionary<RollupKey, MetricAggregate> into, RollupKey key, double value)
    {
        if (!into.TryGetValue(key, out var aggregate))
        {
            into[key] = aggregate = new MetricAggregate();
        }

        aggregate.Add(value);
    }
}
