using Microsoft.Extensions.Options;
using Operational.Contexts.Tracking;

namespace Operational.Contexts.Retention;

/// <summary>
/// Deletes contexts silent for longer than <c>Contexts:RetentionDays</c>, with their entries, in
/// batches of 1,000 so that consuming never waits long for the store's writer.
/// </summary>
public sealed class ContextRetentionWorker(IContextStore store, IOptions<ContextsOptions> options, TimeProvider clock, ILogger<ContextRetentionWorker> logger)
    : BackgroundService
{
    private const int BatchSize = 1000;

    /// <summary>One pass: returns how many contexts were deleted.</summary>
    public async Task<int> DeleteInactiveAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().AddDays(-options.Value.RetentionDays);
        var total = 0;
        int deleted;
        do
        {
            deleted = await store.DeleteInactiveAsync(cutoff, BatchSize, cancellationToken);
            total += deleted;
        }
        while (deleted == BatchSize);

        if (total > 0)
        {
            logger.LogInformation("Deleted {Count} contexts with no event since {Cutoff}", total, cutoff);
        }

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval, clock);
        do
        {
            try
            {
                await DeleteInactiveAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not delete inactive contexts; trying again in {Interval}", options.Value.RetentionInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
