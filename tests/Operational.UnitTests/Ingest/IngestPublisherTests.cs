using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest;

namespace Operational.UnitTests.Ingest;

/// <summary>
/// The group commit, against a sink whose confirms the test controls. One publish in flight
/// unless a test says otherwise, so batch boundaries are deterministic.
/// </summary>
public sealed class IngestPublisherTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private readonly ControlledSink _sink = new();
    private IngestPublisher _publisher = null!;

    public async ValueTask InitializeAsync() => await StartAsync(new IngestOptions { MaxBatchEvents = 4, PublishesInFlight = 1 });

    public async ValueTask DisposeAsync()
    {
        _sink.ReleaseAll();
        await _publisher.StoppingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Events_arriving_during_a_publish_share_the_next_batch()
    {
        _sink.HoldNext();
        var first = _publisher.PublishAsync(Event(0), 100);
        await _sink.Called.WaitAsync(TimeSpan.FromSeconds(5));

        var queued = Enumerable.Range(1, 3).Select(i => _publisher.PublishAsync(Event(i), 100)).ToArray();
        Assert.All(queued, t => Assert.False(t.IsCompleted)); // nobody gets 202 before the confirm
        _sink.ReleaseAll();

        Assert.Equal(IngestOutcome.Accepted, await first);
        Assert.All(await Task.WhenAll(queued), outcome => Assert.Equal(IngestOutcome.Accepted, outcome));
        Assert.Equal([1, 3], _sink.BatchSizes);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"e{i}"), _sink.Batches.SelectMany(b => b.Events).Select(e => e.Id));
    }

    [Fact]
    public async Task With_more_publishes_in_flight_the_next_batch_does_not_wait_for_the_previous_confirm()
    {
        await _publisher.StoppingAsync(CancellationToken.None);
        await StartAsync(new IngestOptions { MaxBatchEvents = 4, PublishesInFlight = 2 });
        _sink.HoldNext();

        var first = _publisher.PublishAsync(Event(0), 10);
        await _sink.Called.WaitAsync(TimeSpan.FromSeconds(5));
        var second = _publisher.PublishAsync(Event(1), 10);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (_sink.Calls < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(2, _sink.Calls); // both are with the broker while neither is confirmed
        Assert.False(first.IsCompleted || second.IsCompleted);
        _sink.ReleaseAll();
        Assert.Equal([IngestOutcome.Accepted, IngestOutcome.Accepted], await Task.WhenAll(first, second));
    }

    [Fact]
    public async Task Batches_respect_the_event_cap()
    {
        _sink.HoldNext();
        var first = _publisher.PublishAsync(Event(0), 10);
        await _sink.Called.WaitAsync(TimeSpan.FromSeconds(5));
        var rest = Enumerable.Range(1, 9).Select(i => _publisher.PublishAsync(Event(i), 10)).ToArray();
        _sink.ReleaseAll();

        await first;
        await Task.WhenAll(rest);
        Assert.Equal([1, 4, 4, 1], _sink.BatchSizes);
    }

    [Fact]
    public async Task Failed_publish_answers_unavailable_then_refuses_fast_until_a_probe_succeeds()
    {
        _sink.FailNext();
        Assert.Equal(IngestOutcome.Unavailable, await _publisher.PublishAsync(Event(0), 10));
        Assert.False(_publisher.IsAccepting);

        var calls = _sink.Calls;
        Assert.Equal(IngestOutcome.Unavailable, await _publisher.PublishAsync(Event(1), 10));
        Assert.Equal(calls, _sink.Calls); // refused without touching the bus

        _clock.Advance(new IngestOptions().BreakDuration);
        Assert.Equal(IngestOutcome.Accepted, await _publisher.PublishAsync(Event(2), 10));
        Assert.True(_publisher.IsAccepting);
    }

    [Fact]
    public async Task Publish_that_never_confirms_times_out_as_unavailable()
    {
        _sink.HoldNext();
        var pending = _publisher.PublishAsync(Event(0), 10);
        await _sink.Called.WaitAsync(TimeSpan.FromSeconds(5));

        _clock.Advance(new IngestOptions().PublishTimeout);

        Assert.Equal(IngestOutcome.Unavailable, await pending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Full_queue_is_back_pressure_not_a_hang()
    {
        await _publisher.StoppingAsync(CancellationToken.None);
        await StartAsync(new IngestOptions { MaxBatchEvents = 1, QueueCapacity = 2, PublishesInFlight = 1 });
        _sink.HoldNext();
        var first = _publisher.PublishAsync(Event(0), 10);
        await _sink.Called.WaitAsync(TimeSpan.FromSeconds(5));

        var queued = new[] { _publisher.PublishAsync(Event(1), 10), _publisher.PublishAsync(Event(2), 10) };
        var refused = await _publisher.PublishAsync(Event(3), 10);

        Assert.Equal(IngestOutcome.Overloaded, refused);
        _sink.ReleaseAll();
        Assert.Equal(IngestOutcome.Accepted, await first);
        Assert.All(await Task.WhenAll(queued), o => Assert.Equal(IngestOutcome.Accepted, o));
    }

    [Fact]
    public async Task Stopping_publishes_what_is_queued_and_refuses_new_events()
    {
        _sink.HoldNext();
        var first = _publisher.PublishAsync(Event(0), 10);
        await _sink.Called.WaitAsync(TimeSpan.FromSeconds(5));
        var queued = _publisher.PublishAsync(Event(1), 10);

        var stopping = _publisher.StoppingAsync(CancellationToken.None);
        Assert.Equal(IngestOutcome.ShuttingDown, await _publisher.PublishAsync(Event(2), 10));
        _sink.ReleaseAll();
        await stopping;

        Assert.Equal(IngestOutcome.Accepted, await first);
        Assert.Equal(IngestOutcome.Accepted, await queued);
    }

    private async Task StartAsync(IngestOptions options)
    {
        _publisher = new IngestPublisher(_sink, Options.Create(options), _clock, NullLogger<IngestPublisher>.Instance);
        await _publisher.StartAsync(CancellationToken.None);
    }

    private static IngestedEvent Event(int i) =>
        new($"e{i}", "p", $"event {i}", null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    /// <summary>Confirms at once, or holds a publish until released, or fails one.</summary>
    private sealed class ControlledSink : IIngestSink
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _release = Released();
        private TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _failNext;

        public List<EventsIngested> Batches { get; } = [];

        public int[] BatchSizes
        {
            get
            {
                lock (_lock)
                {
                    return Batches.Select(b => b.Events.Count).ToArray();
                }
            }
        }

        public int Calls { get; private set; }

        public Task Called => _called.Task;

        public void HoldNext()
        {
            lock (_lock)
            {
                _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public void FailNext() => _failNext = true;

        public void ReleaseAll() => _release.TrySetResult();

        public async Task WriteAsync(EventsIngested batch, CancellationToken cancellationToken)
        {
            Task release;
            lock (_lock)
            {
                Calls++;
                release = _release.Task;
                _called.TrySetResult();
            }

            if (_failNext)
            {
                _failNext = false;
                throw new InvalidOperationException("broker unreachable");
            }

            await release.WaitAsync(cancellationToken);
            lock (_lock)
            {
                Batches.Add(batch);
            }
        }

        private static TaskCompletionSource Released()
        {
            var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            released.SetResult();
            return released;
        }
    }
}
