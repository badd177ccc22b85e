using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Bus.DeadLetters;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>
/// Keeps a journaled batch until every subscriber endpoint (<c>Ingest:SubscriberQueues</c>) is
/// done with it — consumed it, or kept it with the dead letters as poison — then removes it.
/// Batches in the journal that are not being processed are published again: at start (a crash
/// left them) and every <c>Ingest:JournalRetryInterval</c> while running (their removal failed,
/// say on a full disk). Consumers are idempotent, so publishing a batch twice costs only time.
/// </summary>
internal sealed class JournalCompletion(
    IBus bus,
    IngestJournal journal,
    IOptions<IngestOptions> options,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<JournalCompletion> logger) : IConsumeObserver, IHostedService
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> _doneBy = new();
    private readonly ConcurrentDictionary<Guid, byte> _inFlight = new();
    private readonly HashSet<string> _subscribers = [.. options.Value.Subscribers];
    private readonly Channel<Guid> _processed = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new(); // no timer, so nothing to dispose
    private ConnectHandle? _observer;
    private StoredDeadLetters? _deadLetters;
    private Task _sweeps = Task.CompletedTask;
    private Task _removals = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (GatewayExtensions.IsRabbitMq(services))
        {
            return;
        }

        await journal.InitializeAsync(cancellationToken);
        _observer = bus.ConnectConsumeObserver(this);
        _deadLetters = services.GetService<StoredDeadLetters>();
        if (_deadLetters is not null)
        {
            _deadLetters.Moved += OnDeadLettered;
        }

        _removals = RemoveProcessedAsync(_stopping.Token);

        // Publish once the bus runs; hosted services start before it.
        lifetime.ApplicationStarted.Register(() => _sweeps = SweepAsync(_stopping.Token));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Removals first, while the sweeps still run: what was processed leaves the journal now
        // rather than being published again at the next start.
        _processed.Writer.TryComplete();
        await _removals.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stopping.CancelAsync();
        _observer?.Disconnect();
        if (_deadLetters is not null)
        {
            _deadLetters.Moved -= OnDeadLettered;
        }

        await _sweeps.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The sink is about to publish this batch: it is being processed until every subscriber is done.</summary>
    public void Publishing(Guid batchId) => _inFlight.TryAdd(batchId, 0);

    /// <summary>The batch could not be journaled (its requests get 503): nothing to wait for.</summary>
    public void Abandoned(Guid batchId) => _inFlight.TryRemove(batchId, out _);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class =>
        context.Message is EventsIngested batch ? DoneAsync(batch.BatchId, context.ReceiveContext.InputAddress.AbsolutePath.Trim('/')) : Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    private void OnDeadLettered(string queue, object message)
    {
        if (message is EventsIngested batch)
        {
            _ = DoneAsync(batch.BatchId, queue);
        }
    }

    private Task DoneAsync(Guid batchId, string endpoint)
    {
        if (!_subscribers.Contains(endpoint))
        {
            return Task.CompletedTask;
        }

        var done = _doneBy.GetOrAdd(batchId, _ => new ConcurrentDictionary<string, byte>());
        done.TryAdd(endpoint, 0);
        if (done.Count == _subscribers.Count && _doneBy.TryRemove(batchId, out _))
        {
            _processed.Writer.TryWrite(batchId);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Removes processed batches from the journal, as many as have accumulated in one transaction:
    /// removing is not on any request's path, and one commit per batch would compete with the
    /// appends that are.
    /// </summary>
    private async Task RemoveProcessedAsync(CancellationToken cancellationToken)
    {
        var reader = _processed.Reader;
        var batch = new List<Guid>();
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (batch.Count < 1000 && reader.TryRead(out var batchId))
                {
                    batch.Add(batchId);
                }

                try
                {
                    await journal.RemoveAsync(batch, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // Left journaled and no longer in flight: the next sweep publishes them again.
                    logger.LogWarning("Could not remove {Count} processed batches from the ingest journal ({Reason}); they will be published again", batch.Count, e.Message);
                }
                finally
                {
                    foreach (var batchId in batch)
                    {
                        _inFlight.TryRemove(batchId, out _);
                    }

                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RepublishAsync(first, cancellationToken);
                first = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("Could not read the ingest journal ({Reason}); its batches stay journaled and are tried again in {Interval}",
                    e.Message, options.Value.JournalRetryInterval);
            }

            try
            {
                await Task.Delay(options.Value.JournalRetryInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RepublishAsync(bool atStart, CancellationToken cancellationToken)
    {
        var pending = await journal.PendingAsync(cancellationToken);
        var idle = pending.Where(p => !_inFlight.ContainsKey(p.BatchId)).ToList();
        if (idle.Count == 0)
        {
            return;
        }

        logger.LogWarning(atStart
                ? "Publishing {Count} accepted batches again that were not fully processed before the last stop"
                : "Publishing {Count} accepted batches again that are journaled but not being processed",
            idle.Count);
        foreach (var (batchId, payload) in idle)
        {
            var batch = JsonSerializer.Deserialize<EventsIngested>(payload, JournalJson.Options)!;
            Publishing(batchId);
            _doneBy.TryRemove(batchId, out _);
            await bus.Publish(batch, cancellationToken);
        }
    }
}
