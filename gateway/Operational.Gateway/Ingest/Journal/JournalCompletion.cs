using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Bus;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>
/// Keeps a journaled batch until every module of the process that handles ingested events is
/// done with it — handled it, kept it with the dead letters as poison, or wanted none of its
/// events — then removes it. Batches in the journal that are not being processed are handed over
/// again: at start (a crash left them) and every <c>Ingest:JournalRetryInterval</c> while running
/// (their removal failed, say on a full disk). Modules are idempotent, so a batch handled twice
/// costs only time.
/// </summary>
internal sealed class JournalCompletion(
    IngestJournal journal,
    IEnumerable<IIngestedEventsHandler> handlers,
    IOptions<IngestOptions> options,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<JournalCompletion> logger) : IHostedService
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> _doneBy = new();
    private readonly ConcurrentDictionary<Guid, byte> _inFlight = new();
    private readonly HashSet<string> _subscribers = [.. handlers.Select(h => h.Queue)];
    private readonly Channel<Guid> _processed = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new(); // no timer, so nothing to dispose
    private Task _sweeps = Task.CompletedTask;
    private Task _removals = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (GatewayExtensions.IsRabbitMq(services))
        {
            return;
        }

        await journal.InitializeAsync(cancellationToken);
        _removals = RemoveProcessedAsync(_stopping.Token);

        // Hand over once every module runs.
        lifetime.ApplicationStarted.Register(() => _sweeps = SweepAsync(_stopping.Token));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Removals first, while the sweeps still run: what was processed leaves the journal now
        // rather than being published again at the next start.
        _processed.Writer.TryComplete();
        await _removals.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stopping.CancelAsync();
        await _sweeps.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The sink is about to publish this batch: it is being processed until every subscriber is done.</summary>
    public void Publishing(Guid batchId) => _inFlight.TryAdd(batchId, 0);

    /// <summary>The batch could not be journaled (its requests get 503): nothing to wait for.</summary>
    public void Abandoned(Guid batchId) => _inFlight.TryRemove(batchId, out _);

    /// <summary>The module consuming <paramref name="queue"/> is done with the batch.</summary>
    public void Done(Guid batchId, string queue)
    {
        if (!_subscribers.Contains(queue))
        {
            return;
        }

        var done = _doneBy.GetOrAdd(batchId, _ => new ConcurrentDictionary<string, byte>());
        done.TryAdd(queue, 0);
        if (done.Count == _subscribers.Count && _doneBy.TryRemove(batchId, out _))
        {
            _processed.Writer.TryWrite(batchId);
        }
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
        var dispatch = services.GetRequiredService<InProcessDispatch>();
        var pending = await journal.PendingAsync(cancellationToken);
        var idle = pending.Where(p => !_inFlight.ContainsKey(p.BatchId)).ToList();
        if (idle.Count == 0)
        {
            return;
        }

        logger.LogWarning(atStart
                ? "Handing over {Count} accepted batches again that were not fully processed before the last stop"
                : "Handing over {Count} accepted batches again that are journaled but not being processed",
            idle.Count);
        foreach (var (batchId, payload) in idle)
        {
            var batch = JsonSerializer.Deserialize<EventsIngested>(payload, JournalJson.Options)!;
            Publishing(batchId);
            _doneBy.TryRemove(batchId, out _);
            await dispatch.DispatchAsync(batch, cancellationToken);
        }
    }
}
