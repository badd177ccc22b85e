using Operational.Gateway.Operators;

namespace Operational.Gateway.Sessions;

/// <summary>Hourly, forgets expired sessions so the table holds only live ones.</summary>
internal sealed class SessionMaintenance(IOperatorStore store, TimeProvider clock, ILogger<SessionMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                var deleted = await store.DeleteExpiredSessionsAsync(clock.GetUtcNow(), stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation("Forgot {Count} expired sessions", deleted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not delete expired sessions; trying again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
