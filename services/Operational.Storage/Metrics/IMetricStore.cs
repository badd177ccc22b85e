using Operational.ServiceDefaults.Statistics;
using Operational.Storage.Events;

namespace Operational.Storage.Metrics;

/// <summary>One bucket of one series as stored.</summary>
public sealed record RollupRow(string GroupValue, long BucketStart, MetricAggregate Aggregate);

/// <summary>Which series a metrics query reads: one numeric tag of one event name, optionally per value of another tag.</summary>
public sealed record SeriesSelector(string ProjectId, string Name, string Field, string GroupKey);

/// <summary>
/// Metric rollups, kept by the store that keeps the events (SQLite folds them behind ingest,
/// see <see cref="IRollupFolding"/>; MongoDB as it inserts). Queries read only these.
/// </summary>
public interface IMetricStore
{
    /// <summary>The groups with the most values in <c>[from, to)</c> at <paramref name="resolution"/>, most first.</summary>
    Task<IReadOnlyList<(string Group, long Count)>> RankGroupsAsync(SeriesSelector series, Resolution resolution, long from, long to, int top, CancellationToken cancellationToken);

    /// <summary>The buckets of one group (<c>""</c> with an empty group key: all values) in <c>[from, to)</c>.</summary>
    Task<IReadOnlyList<RollupRow>> ReadSeriesAsync(SeriesSelector series, string groupValue, Resolution resolution, long from, long to, CancellationToken cancellationToken);

    /// <summary>Every (event name, numeric tag, group key) with values in day buckets since <paramref name="since"/>; group key "" is the ungrouped series.</summary>
    Task<IReadOnlyList<(string Name, string Field, string GroupKey)>> CatalogAsync(string projectId, long since, CancellationToken cancellationToken);

    /// <summary>Deletes rollups of <paramref name="resolution"/> whose bucket starts before <paramref name="before"/>.</summary>
    Task<int> DeleteRollupsBeforeAsync(Resolution resolution, long before, CancellationToken cancellationToken);

    /// <summary>A project's saved metrics by key, or every project's (<paramref name="projectId"/> null: what folding needs).</summary>
    Task<IReadOnlyList<SavedMetric>> ListSavedMetricsAsync(string? projectId, CancellationToken cancellationToken);

    /// <summary>Adds a saved metric unless its key is taken or its project has <paramref name="maxPerProject"/> already.</summary>
    Task<SavedMetricAdded> AddSavedMetricAsync(SavedMetric metric, int maxPerProject, CancellationToken cancellationToken);

    /// <summary>Deletes a saved metric and its rollups; false when there was none.</summary>
    Task<bool> DeleteSavedMetricAsync(string projectId, string key, CancellationToken cancellationToken);
}

public enum SavedMetricAdded
{
    Added,
    KeyTaken,
    TooMany,
}

/// <summary>
/// A store whose rollups are folded from the events in the order they were stored, after the
/// position folded last (<see cref="MetricRollupWorker"/>); the rollups and that position are
/// written together, so a crash only means folding the same events again from there.
/// </summary>
public interface IRollupFolding
{
    /// <summary>The position of the last event whose values are in the rollups (0: none).</summary>
    Task<long> FoldedPositionAsync(CancellationToken cancellationToken);

    /// <summary>Events stored after <paramref name="afterPosition"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<PositionedEvent>> ReadForFoldingAsync(long afterPosition, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Merges the contributions into the stored rollups and moves the folded position from
    /// <paramref name="fromPosition"/> to <paramref name="toPosition"/>, in one write; false (and
    /// nothing written) when another folder moved it first.
    /// </summary>
    Task<bool> SaveRollupsAsync(IReadOnlyDictionary<RollupKey, MetricAggregate> contributions, long fromPosition, long toPosition, CancellationToken cancellationToken);
}
