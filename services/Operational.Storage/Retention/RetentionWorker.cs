using Microsoft.Extensions.Options;
using Operational.Storage.Events;

namespace Operational.Storage.Retention;

/// <summary>
/// Deletes expired events in the background, one bounded batch per transaction with a pause
/// between batches, so a large backlog (e.g. after lowering a retention) never stalls ingest.
/// Several replicas may run it at once: deleting what another already deleted is harmless.
/// </summary>
public sealed class RetentionWorker(
    IEventStore store,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<RetentionWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PauseBetweenBatches = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                var deleted = await RunOnceAsync(stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation("Retention deleted {Count} expired events", deleted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Retention run failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes everything expired now; returns how many events that was.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var defaults = options.Value.Defaults.CutoffsAt(now);
        var overrides = (await store.RetentionOverridesAsync(cancellationToken))
            .ToDictionary(o => o.Key, o => o.Value.CutoffsAt(now), StringComparer.Ordinal);
        var total = 0;
        int deleted;
        do
        {
            deleted = await store.DeleteExpiredAsync(defaults, overrides, options.Value.BatchSize, cancellationToken);
            total += deleted;
            if (deleted == options.Value.BatchSize)
            {
                await Task.Delay(PauseBetweenBatches, clock, cancellationToken);
            }
        }
        while (deleted == options.Value.BatchSize);

        return total;
    }
}
