using System.Threading.Channels;
using System.Threading.RateLimiting;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Bus.DeadLetters;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>
/// Standalone: hands each journaled batch straight to the modules of this process
/// (<see cref="IIngestedEventsHandler"/>: storage, contexts, rules, notifications), each on a queue
/// and a worker of its own, as objects. The in-memory bus would serialize every batch and
/// deserialize it once per module, through a pipeline per message; for the four modules that was
/// most of the host's CPU per event. A module whose <see cref="IIngestedEventsHandler.Wants"/> takes
/// no event of a batch is done with it at once. The consume policy is the bus's: a failing
/// dependency is waited out (never dead-lettered) while <see cref="ConsumerOutages"/> reports it;
/// poison is isolated (<see cref="PoisonIsolation"/>) and kept with the <see cref="StoredDeadLetters"/>.
/// What a module finished (or kept as a dead letter) is reported to the journal; what is not
/// finished when the process dies is still journaled and handed over again at the next start.
/// </summary>
internal sealed class InProcessDispatch : IHostedService
{
    /// <summary>
    /// Events waiting per module; beyond it the gateway waits (and its requests get 503 after
    /// Ingest:PublishTimeout). Small enough that what was accepted is stored well within a second
    /// of the load stopping; a batch larger than this waits until the queue is empty.
    /// </summary>
    internal const int QueueEvents = 2048;

    /// <summary>Messages a module handles at once (one store transaction), as its bus consumer takes.</summary>
    private const int MessageLimit = 64;

    /// <summary>
    /// Events a module handles at once, unless one message alone has more. A waiting request waits
    /// for the module's current transaction, so its length bounds the requests' latency when the
    /// modules are the bottleneck; bigger transactions cost less per event but hold them longer.
    /// </summary>
    internal const int EventsPerHandle = 256;

    private readonly Worker[] _workers;
    private readonly CancellationTokenSource _stopping = new(); // no timer, so nothing to dispose

    public InProcessDispatch(
        IEnumerable<IIngestedEventsHandler> handlers,
        JournalCompletion completion,
        ConsumerOutages outages,
        IServiceProvider services,
        ILogger<InProcessDispatch> logger)
    {
        _workers = handlers.Select(h => new Worker(h, completion, outages, services.GetService<StoredDeadLetters>(), logger)).ToArray();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var worker in _workers)
        {
            worker.Start(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    /// <summary>Hands the batch to every module that wants any of its events; the others are done with it now.</summary>
    public async ValueTask DispatchAsync(EventsIngested batch, CancellationToken cancellationToken)
    {
        foreach (var worker in _workers)
        {
            await worker.EnqueueAsync(batch, cancellationToken);
        }
    }

    /// <summary>Lets the modules finish what they were given (within the host's stop timeout), then stops them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var worker in _workers)
        {
            worker.Complete();
        }

        try
        {
            await Task.WhenAll(_workers.Select(w => w.Running)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: what is unfinished is still journaled and handed over at the next start.
        }
        finally
        {
            await _stopping.CancelAsync();
        }
    }

    private sealed class Worker(
        IIngestedEventsHandler handler,
        JournalCompletion completion,
        ConsumerOutages outages,
        StoredDeadLetters? deadLetters,
        ILogger logger)
    {
        private readonly Channel<(EventsIngested Batch, RateLimitLease Room)> _queue =
            Channel.CreateUnbounded<(EventsIngested, RateLimitLease)>(new UnboundedChannelOptions { SingleReader = true });

        /// <summary>Room for <see cref="QueueEvents"/> events: a batch takes room for its events and gives it back when its module takes it.</summary>
        private readonly ConcurrencyLimiter _room = new(new ConcurrencyLimiterOptions
        {
            PermitLimit = QueueEvents,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        public Task Running { get; private set; } = Task.CompletedTask;

        public void Start(CancellationToken stopping) => Running = Task.Run(() => RunAsync(stopping), CancellationToken.None);

        public void Complete() => _queue.Writer.TryComplete();

        public async ValueTask EnqueueAsync(EventsIngested batch, CancellationToken cancellationToken)
        {
            if (!batch.Events.Any(handler.Wants))
            {
                completion.Done(batch.BatchId, handler.Queue);
                return;
            }

            var room = await _room.AcquireAsync(Math.Clamp(batch.Events.Count, 1, QueueEvents), cancellationToken);
            if (!room.IsAcquired || !_queue.Writer.TryWrite((batch, room)))
            {
                room.Dispose();
                throw new InvalidOperationException($"The in-process queue of {handler.Queue} is closed: the host is stopping.");
            }
        }

        private async Task RunAsync(CancellationToken stopping)
        {
            var reader = _queue.Reader;
            var messages = new List<EventsIngested>(MessageLimit);
            try
            {
                while (await reader.WaitToReadAsync(stopping))
                {
                    var events = 0;
                    while (messages.Count < MessageLimit
                           && reader.TryPeek(out var next) && (events == 0 || events + next.Batch.Events.Count <= EventsPerHandle)
                           && reader.TryRead(out var message))
                    {
                        message.Room.Dispose();
                        messages.Add(message.Batch);
                        events += message.Batch.Events.Count;
                    }

                    await HandleAsync(messages, stopping);
                    foreach (var message in messages)
                    {
                        completion.Done(message.BatchId, handler.Queue);
                    }

                    messages.Clear();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                logger.LogCritical(e, "The in-process consumer of {Queue} stopped; what it did not finish stays journaled for the next start", handler.Queue);
            }
        }

        /// <summary>Waits out a failing dependency for as long as it lasts; poison goes to the dead letters.</summary>
        private async Task HandleAsync(List<EventsIngested> messages, CancellationToken stopping)
        {
            var delay = ConsumeResilience.OutageFirstDelay;
            var failing = false;
            while (true)
            {
                try
                {
                    await PoisonIsolation.HandleAsync(messages, batch => handler.HandleAsync(batch, stopping), KeepAsync, logger, stopping);
                    if (failing)
                    {
                        outages.Recovered(handler.Queue);
                    }

                    return;
                }
                catch (Exception e) when (DependencyFailures.IsOutage(e) && !stopping.IsCancellationRequested)
                {
                    failing = true;
                    outages.Failed(handler.Queue, e, delay);
                    await Task.Delay(delay * (0.75 + Random.Shared.NextDouble() / 2), stopping);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, ConsumeResilience.OutageMaxDelay.Ticks));
                }
            }

            Task KeepAsync(EventsIngested message, Exception reason) =>
                deadLetters is null
                    ? throw new InvalidOperationException("No dead letters to keep a poison message in.", reason)
                    : deadLetters.KeepAsync(handler.Queue, message, reason, stopping);
        }
    }
}
