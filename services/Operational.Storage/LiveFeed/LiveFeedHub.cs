using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Operational.Storage.Events;

namespace Operational.Storage.LiveFeed;

/// <summary>
/// Follows a project's stored events from a position, each once, in the order of storage. It
/// re-reads the store's <see cref="IEventStore.LiveFeedOverlap"/>, so a position that becomes
/// visible late (MongoDB) is not skipped.
/// </summary>
internal sealed class StoreTail(IEventStore store, string projectId, long position)
{
    private readonly SortedSet<long> _sent = [];

    public long Position { get; private set; } = position;

    /// <summary>The next events after <see cref="Position"/>, at most <paramref name="limit"/>; empty when caught up.</summary>
    public async Task<IReadOnlyList<PositionedEvent>> NextAsync(int limit, CancellationToken cancellationToken)
    {
        var overlap = store.LiveFeedOverlap;
        var events = await store.ReadStoredAfterAsync(projectId, Math.Max(0, Position - overlap), limit, _sent, cancellationToken);
        foreach (var (position, _) in events)
        {
            if (overlap > 0)
            {
                _sent.Add(position);
            }

            Position = Math.Max(Position, position);
        }

        if (overlap > 0)
        {
            _sent.RemoveWhere(p => p <= Position - overlap);
        }

        return events;
    }
}

/// <summary>Why a stream could not be opened.</summary>
public sealed record StreamRefusal(string Detail);

/// <summary>
/// A stream's place in its project's feed: everything stored after <see cref="StartPosition"/>
/// arrives in <see cref="Batches"/>. The channel completes when the stream fell too far behind;
/// the client then reconnects with <c>Last-Event-ID</c> and catches up from the store.
/// </summary>
public sealed class FeedSubscription(long startPosition, ChannelReader<IReadOnlyList<PositionedEvent>> batches, Action leave) : IDisposable
{
    private int _left;

    public long StartPosition { get; } = startPosition;

    public ChannelReader<IReadOnlyList<PositionedEvent>> Batches { get; } = batches;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _left, 1) == 0)
        {
            leave();
        }
    }
}

/// <summary>
/// The live feed's one reader per project: however many streams a project has open, its stored
/// events are read once per poll (or wake-up) and handed to each stream, instead of every stream
/// polling the store on its own. It also caps open streams per key and per process
/// (<c>Storage:LiveFeed:MaxStreamsPerKey</c>, <c>MaxStreams</c>).
/// </summary>
public sealed class LiveFeedHub(IEventStore store, StoredSignal signal, IOptions<LiveFeedOptions> options, TimeProvider clock, ILogger<LiveFeedHub> logger)
    : IDisposable
{
    /// <summary>Events read from the store at once.</summary>
    public const int ReadLimit = 500;

    /// <summary>Batches a stream may have waiting before it counts as too slow and is ended.</summary>
    private const int StreamBacklog = 64;

    private readonly IEventStore _store = store;
    private readonly StoredSignal _signal = signal;
    private readonly LiveFeedOptions _options = options.Value;
    private readonly TimeProvider _clock = clock;
    private readonly ILogger<LiveFeedHub> _logger = logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ProjectFeed> _feeds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perKey = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _total;

    /// <summary>Joins the project's feed, or says why not (too many streams).</summary>
    public async Task<(FeedSubscription? Subscription, StreamRefusal? Refusal)> SubscribeAsync(string projectId, string keyId, CancellationToken cancellationToken)
    {
        ProjectFeed feed;
        lock (_lock)
        {
            if (_total >= _options.MaxStreams)
            {
                return (null, new StreamRefusal($"This service has {_total} live streams open, the most it serves (Storage:LiveFeed:MaxStreams); try again later."));
            }

            if (_perKey.GetValueOrDefault(keyId) >= _options.MaxStreamsPerKey)
            {
                return (null, new StreamRefusal($"This key has {_options.MaxStreamsPerKey} live streams open, the most allowed (Storage:LiveFeed:MaxStreamsPerKey); close one first."));
            }

            _total++;
            _perKey[keyId] = _perKey.GetValueOrDefault(keyId) + 1;
            if (!_feeds.TryGetValue(projectId, out feed!))
            {
                feed = new ProjectFeed(this, projectId);
                _feeds[projectId] = feed;
            }

            feed.Members++;
        }

        try
        {
            var channel = Channel.CreateBounded<IReadOnlyList<PositionedEvent>>(new BoundedChannelOptions(StreamBacklog) { SingleReader = true, SingleWriter = true });
            var start = await feed.AddAsync(channel.Writer, cancellationToken);
            return (new FeedSubscription(start, channel.Reader, () => Leave(feed, channel.Writer, keyId)), null);
        }
        catch
        {
            Leave(feed, null, keyId);
            throw;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Leave(ProjectFeed feed, ChannelWriter<IReadOnlyList<PositionedEvent>>? writer, string keyId)
    {
        lock (_lock)
        {
            _total--;
            if (--_perKey[keyId] == 0)
            {
                _perKey.Remove(keyId);
            }

            if (writer is not null)
            {
                feed.Remove(writer);
            }

            if (--feed.Members == 0)
            {
                _feeds.Remove(feed.ProjectId);
                feed.Stop();
            }
        }
    }

    /// <summary>One project's reader, running while the project has streams open.</summary>
    private sealed class ProjectFeed
    {
        private readonly LiveFeedHub _hub;
        private readonly List<ChannelWriter<IReadOnlyList<PositionedEvent>>> _streams = [];
        private readonly CancellationTokenSource _stop;
        private readonly Task<StoreTail> _tail;

        // Held across a read and its hand-out, so a stream that joins meanwhile starts exactly past what it was not given.
        private readonly SemaphoreSlim _gate = new(1, 1);

        public ProjectFeed(LiveFeedHub hub, string projectId)
        {
            _hub = hub;
            ProjectId = projectId;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(hub._stopping.Token);
            _tail = Task.Run(StartAsync);
        }

        public string ProjectId { get; }

        /// <summary>Streams joined or joining; guarded by the hub's lock.</summary>
        public int Members { get; set; }

        /// <summary>Adds a stream; returns the position after which it gets every event.</summary>
        public async Task<long> AddAsync(ChannelWriter<IReadOnlyList<PositionedEvent>> stream, CancellationToken cancellationToken)
        {
            var tail = await _tail.WaitAsync(cancellationToken);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                lock (_streams)
                {
                    _streams.Add(stream);
                }

                return tail.Position;
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Remove(ChannelWriter<IReadOnlyList<PositionedEvent>> stream)
        {
            lock (_streams)
            {
                _streams.Remove(stream);
            }
        }

        public void Stop() => _stop.Cancel();

        private async Task<StoreTail> StartAsync()
        {
            var tail = new StoreTail(_hub._store, ProjectId, await _hub._store.LatestPositionAsync(ProjectId, _stop.Token));
            _ = Task.Run(() => ReadAsync(tail, _stop.Token));
            return tail;
        }

        private async Task ReadAsync(StoreTail tail, CancellationToken stop)
        {
            var options = _hub._options;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var wake = _hub._signal.Next;
                    var count = 0;
                    await _gate.WaitAsync(stop);
                    try
                    {
                        var events = await tail.NextAsync(ReadLimit, stop);
                        count = events.Count;
                        if (count > 0)
                        {
                            Hand(events);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _hub._logger.LogWarning(e, "Could not read the live feed of project {ProjectId}; trying again", ProjectId);
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    if (count < ReadLimit)
                    {
                        await Task.WhenAny(wake, Task.Delay(options.PollInterval, _hub._clock, stop));
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The project's last stream closed, or the process stops.
            }
            finally
            {
                _stop.Dispose();
            }
        }

        private void Hand(IReadOnlyList<PositionedEvent> events)
        {
            lock (_streams)
            {
                foreach (var stream in _streams.Where(stream => !stream.TryWrite(events)).ToList())
                {
                    // Too far behind: ended; the client resumes from the store with Last-Event-ID.
                    stream.TryComplete();
                    _streams.Remove(stream);
                }
            }
        }
    }
}
