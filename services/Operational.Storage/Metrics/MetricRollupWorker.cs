using Operational.ServiceDefaults.Statistics;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Operational.ServiceDefaults.Telemetry;
using Operational.Storage.LiveFeed;

namespace Operational.Storage.Metrics;

/// <summary>
/// Folds stored events into the metric rollups, off the ingest path (for a store that folds
/// behind ingest, <see cref="IRollupFolding"/>; a store that folds as it inserts only has its old rollups pruned): it reads what storage wrote
/// after the last folded position, folds it in memory (<see cref="RollupFolding"/>) and merges the
/// result with that position in one write. Storing wakes it; it folds at most once a second while
/// events keep coming, so a busy minute costs one merge per series rather than one per event. A
/// crash loses nothing: the events after the last saved position are folded again.
/// </summary>
public sealed class MetricRollupWorker(IMetricStore rollups, StoredSignal stored, TimeProvider clock, ILogger<MetricRollupWorker> logger) : BackgroundService
{
    private readonly IRollupFolding? _folding = rollups as IRollupFolding;

    public const int PageSize = 20_000;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private static readonly Meter Meter = new(TelemetryExtensions.SourceName);
    private static readonly Counter<long> Folded = Meter.CreateCounter<long>("operational.metrics.folded", "{event}", "Stored events folded into metric rollups.");

    private DateTimeOffset _pruned = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = stored.Next;
            var started = Stopwatch.GetTimestamp();
            var backlog = false;
            try
            {
                backlog = await FoldOnceAsync(stoppingToken) == PageSize;
                await PruneAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Folding events into metric rollups failed; trying again shortly");
            }

            if (backlog)
            {
                continue;
            }

            try
            {
                await Task.WhenAll(Task.Delay(Settle - Stopwatch.GetElapsedTime(started) is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, clock, stoppingToken),
                    Task.WhenAny(wake, Task.Delay(Idle, clock, stoppingToken)));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Folds up to a page of events; how many it read.</summary>
    public async Task<int> FoldOnceAsync(CancellationToken cancellationToken)
    {
        if (_folding is not { } store)
        {
            return 0;
        }

        var from = await store.FoldedPositionAsync(cancellationToken);
        var read = await store.ReadForFoldingAsync(from, PageSize, cancellationToken);
        if (read.Count == 0)
        {
            return 0;
        }

        var contributions = new Dictionary<RollupKey, MetricAggregate>();
        var saved = new SavedMetrics.Set(await rollups.ListSavedMetricsAsync(null, cancellationToken));
        foreach (var positioned in read)
        {
            RollupFolding.Fold(positioned.Event, contributions, saved);
        }

        if (await store.SaveRollupsAsync(contributions, from, read[^1].Position, cancellationToken))
        {
            Folded.Add(read.Count);
        }

        return read.Count;
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now - _pruned < PruneEvery)
        {
            return;
        }

        _pruned = now;
        foreach (var resolution in Resolutions.All)
        {
            await rollups.DeleteRollupsBeforeAsync(resolution, now.Subtract(resolution.Kept()).ToUnixTimeSeconds(), cancellationToken);
        }
    }
}
