using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Statistics;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Metrics;

/// <summary>A saved metric as written: <c>POST /v1/metrics/saved</c>.</summary>
/// <param name="Match">The events it measures, in the rules' match language (none: every event).</param>
/// <param name="Field">The numeric tag it measures.</param>
/// <param name="GroupBy">A tag whose values each get a series (also by minute).</param>
public sealed record SavedMetricDefinition(string? Key, string? Title, EventConditions? Match, string? Field, string? GroupBy);

/// <summary>
/// A numeric tag of the events that meet <see cref="Match"/>, measured from <see cref="CreatedAt"/>
/// on: its rollups are kept as the events are folded, so a query over any conditions the match
/// language can say still reads rollups only.
/// </summary>
public sealed record SavedMetric(string ProjectId, string Key, string Title, EventConditions Match, string Field, string? GroupBy, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// The name its rollups are kept under. No event can have it (event names hold no control
    /// characters), and it carries the creation time, so a metric deleted and made again under the
    /// same key never reads the old one's rollups.
    /// </summary>
    public string SeriesName => $"\u0001{Key}\u0001{CreatedAt.ToUnixTimeMilliseconds()}";
}

/// <summary>Checks saved metrics as written, and folds events into the saved metrics they meet.</summary>
public static class SavedMetrics
{
    /// <summary>Per project: each saved metric adds work to every event folded.</summary>
    public const int MaxPerProject = 50;

    public const int MaxTitleLength = 100;

    /// <summary>The definition's problems, all at once; the metric when there are none.</summary>
    public static SavedMetric? Validate(string projectId, SavedMetricDefinition? definition, DateTimeOffset now, FieldErrors errors)
    {
        if (definition is null)
        {
            errors.Add("body", "must be a JSON object with key, match and field");
            return null;
        }

        if (definition.Key is not { } key || key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            errors.Add("key", "is required: 1–64 of a–z 0–9 - _ (it names the metric in URLs)");
        }

        var title = definition.Title?.Trim();
        if (title is { Length: 0 or > MaxTitleLength } || (title is not null && title.Any(char.IsControl)))
        {
            errors.Add("title", $"must be 1–{MaxTitleLength} characters without line breaks");
        }

        EventConditionRules.Check(definition.Match, errors);
        if (!TagKeys.IsValid(definition.Field))
        {
            errors.Add("field", $"is required: a numeric tag's key ({TagKeys.Described})");
        }

        if (definition.GroupBy is { } groupBy && (!TagKeys.IsValid(groupBy) || groupBy == definition.Field))
        {
            errors.Add("groupBy", $"must be another tag's key ({TagKeys.Described})");
        }

        return errors.IsEmpty
            ? new SavedMetric(projectId, definition.Key!, title ?? definition.Key!, definition.Match ?? Every, definition.Field!, definition.GroupBy, now)
            : null;
    }

    private static readonly EventConditions Every = new(null, null, null, null, null, null, null);

    /// <summary>Saved metrics compiled for folding, by project.</summary>
    public sealed class Set
    {
        public static readonly Set Empty = new([]);

        private readonly Dictionary<string, (SavedMetric Metric, EventMatcher Matcher)[]> _byProject;

        public Set(IEnumerable<SavedMetric> metrics) =>
            _byProject = metrics.GroupBy(m => m.ProjectId)
                .ToDictionary(g => g.Key, g => g.Select(m => (m, EventMatcher.Compile(m.Match, history: true))).ToArray());

        public bool IsEmpty => _byProject.Count == 0;

        /// <summary>
        /// Adds <paramref name="e"/>'s value to each of its project's saved metrics it meets —
        /// received from the metric's creation on — by minute, hour and day, over all and per group.
        /// </summary>
        public void Fold(IngestedEvent e, Dictionary<RollupKey, MetricAggregate> into)
        {
            if (e.Tags is not { Count: > 0 } tags || !_byProject.TryGetValue(e.ProjectId, out var metrics))
            {
                return;
            }

            foreach (var (metric, matcher) in metrics)
            {
                if (e.ReceivedAt < metric.CreatedAt || !tags.TryGetValue(metric.Field, out var value)
                    || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number)
                    || !matcher.Matches(e))
                {
                    continue;
                }

                var group = metric.GroupBy is { } groupBy ? EventMatcher.TagText(e, groupBy) : null;
                foreach (var resolution in Resolutions.All)
                {
                    var bucket = RollupFolding.BucketOf(e.Timestamp, resolution);
                    RollupFolding.Add(into, new RollupKey(e.ProjectId, metric.SeriesName, metric.Field, "", "", resolution, bucket), number);
                    if (group is { Length: > 0 })
                    {
                        RollupFolding.Add(into, new RollupKey(e.ProjectId, metric.SeriesName, metric.Field, metric.GroupBy!, group, resolution, bucket), number);
                    }
                }
            }
        }
    }
}
