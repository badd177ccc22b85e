using Microsoft.Extensions.Options;

namespace Operational.Gateway.Ingest.Duplicates;

/// <summary>Forgets ids older than <c>Ingest:DuplicateWindow</c>, hourly, in bounded steps.</summary>
internal sealed class EventIdLedgerMaintenance(
    IEventIdLedger ledger,
    IOptions<IngestOptions> options,
    TimeProvider clock,
    ILogger<EventIdLedgerMaintenance> logger) : BackgroundService
{
    private const int PurgeBatch = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                var before = clock.GetUtcNow() - options.Value.DuplicateWindow;
                int purged;
                do
                {
                    purged = await ledger.PurgeAsync(before, PurgeBatch, stoppingToken);
                }
                while (purged == PurgeBatch && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not purge old accepted event ids; retrying in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
