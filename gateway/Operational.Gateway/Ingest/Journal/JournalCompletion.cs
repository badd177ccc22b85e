using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>
/// Removes a journaled batch once every subscriber endpoint (<c>Ingest:SubscriberQueues</c>)
/// consumed it successfully, and at start publishes again what a crash left behind. A batch
/// whose consumer keeps failing stays journaled and is retried at the next start: nothing
/// accepted is dropped silently.
/// </summary>
internal sealed class JournalCompletion(
    IBus bus,
    IngestJournal journal,
    IOptions<IngestOptions> options,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<JournalCompletion> logger) : IConsumeObserver, IHostedService
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> _consumedBy = new();
    private readonly HashSet<string> _subscribers = [.. options.Value.Subscribers];
    private ConnectHandle? _observer;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (GatewayExtensions.IsRabbitMq(services))
        {
            return;
        }

        await journal.InitializeAsync(cancellationToken);
        _observer = bus.ConnectConsumeObserver(this);
        // Replay once the bus runs; hosted services start before it.
        lifetime.ApplicationStarted.Register(() => _ = ReplayAsync(lifetime.ApplicationStopping));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _observer?.Disconnect();
        return Task.CompletedTask;
    }

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public async Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (context.Message is not EventsIngested batch)
        {
            return;
        }

        var endpoint = context.ReceiveContext.InputAddress.AbsolutePath.Trim('/');
        if (!_subscribers.Contains(endpoint))
        {
            return;
        }

        var consumed = _consumedBy.GetOrAdd(batch.BatchId, _ => new ConcurrentDictionary<string, byte>());
        consumed.TryAdd(endpoint, 0);
        if (consumed.Count == _subscribers.Count && _consumedBy.TryRemove(batch.BatchId, out _))
        {
            await journal.RemoveAsync(batch.BatchId, CancellationToken.None);
        }
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pending = await journal.PendingAsync(cancellationToken);
            if (pending.Count == 0)
            {
                return;
            }

            logger.LogWarning("Publishing {Count} accepted batches again that were not fully processed before the last stop", pending.Count);
            foreach (var payload in pending)
            {
                var batch = JsonSerializer.Deserialize<EventsIngested>(payload, JournalJson.Options)!;
                await bus.Publish(batch, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not replay the ingest journal; its batches stay journaled for the next start");
        }
    }
}
