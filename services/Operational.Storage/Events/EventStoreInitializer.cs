namespace Operational.Storage.Events;

/// <summary>
/// Prepares the store before the service takes traffic. A store that cannot be prepared
/// (unwritable folder, unreachable database) stops the start with the reason.
/// </summary>
internal sealed class EventStoreInitializer(IEventStore store, ILogger<EventStoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        logger.LogInformation("Event store ready ({Store})", store.GetType().Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
