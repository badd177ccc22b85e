using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Operational.Storage.Events;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// Open streams cost the installation little and are capped: one reader per project feeds them all,
/// and a key may hold only so many.
/// </summary>
public sealed class LiveFeedLimitsTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, int> _storeCalls = new();
    private readonly StandaloneFactory _factory;
    private readonly OperationalClient _client;

    public LiveFeedLimitsTests()
    {
        _factory = new StandaloneFactory
        {
            Settings = new Dictionary<string, string> { ["Storage:LiveFeed:MaxStreamsPerKey"] = "12" },
            ConfigureServices = services => EventStoreDecoration.Decorate(services, inner => CountingProxy<IEventStore>.Wrap(inner, _storeCalls)),
        };
        _client = _factory.CreateOperationalClient();
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Ten_streams_of_a_project_share_one_reader_and_all_get_every_event()
    {
        var streams = new List<ServerSentEventReader>();
        for (var i = 0; i < 10; i++)
        {
            streams.Add(await ServerSentEventReader.OpenAsync(_client.Http, StandaloneFactory.AdminKey, "/v1/events/stream"));
        }

        var before = _storeCalls.GetValueOrDefault(nameof(IEventStore.ReadStoredAfterAsync));
        await Task.Delay(TimeSpan.FromSeconds(2)); // at 250 ms per poll, ten streams polling alone would read about 80 times
        var reads = _storeCalls.GetValueOrDefault(nameof(IEventStore.ReadStoredAfterAsync)) - before;
        Assert.InRange(reads, 1, 20);

        var id = await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"for everyone"}""");
        foreach (var stream in streams)
        {
            Assert.Equal(id, (await stream.NextAsync(Wait)).Json.GetProperty("id").GetString());
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_key_may_hold_only_so_many_streams_and_gets_a_place_back_when_one_closes()
    {
        var streams = new List<ServerSentEventReader>();
        for (var i = 0; i < 12; i++)
        {
            var stream = await ServerSentEventReader.OpenAsync(_client.Http, StandaloneFactory.AdminKey, "/v1/events/stream");
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
            streams.Add(stream);
        }

        await using (var refused = await ServerSentEventReader.OpenAsync(_client.Http, StandaloneFactory.AdminKey, "/v1/events/stream"))
        {
            await ProblemAssert.IsProblemAsync(refused.Response, HttpStatusCode.TooManyRequests, "MaxStreamsPerKey");
            Assert.NotNull(refused.Response.Headers.RetryAfter);
        }

        await streams[0].DisposeAsync();
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            await using var again = await ServerSentEventReader.OpenAsync(_client.Http, StandaloneFactory.AdminKey, "/v1/events/stream");
            if (again.Response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "a closed stream's place did not come back");
            await Task.Delay(100);
        }

        foreach (var stream in streams.Skip(1))
        {
            await stream.DisposeAsync();
        }
    }

    /// <summary>Counts the calls made to each method of <typeparamref name="T"/> and passes them on.</summary>
    public class CountingProxy<T> : DispatchProxy
        where T : class
    {
        private T _inner = null!;
        private ConcurrentDictionary<string, int> _calls = null!;

        public static T Wrap(T inner, ConcurrentDictionary<string, int> calls)
        {
            var proxy = Create<T, CountingProxy<T>>();
            var counting = (CountingProxy<T>)(object)proxy;
            counting._inner = inner;
            counting._calls = calls;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _calls.AddOrUpdate(targetMethod!.Name.Replace("get_", "", StringComparison.Ordinal), 1, (_, n) => n + 1);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
