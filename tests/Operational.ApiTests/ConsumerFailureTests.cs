using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Operational.Contracts.Events;
using Operational.Storage.Events;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// What the standalone host does when a consumer cannot write: a failing store holds events in the
/// queue (not ready meanwhile) and stores them once it recovers, without a restart; a message that can
/// never be stored is kept as a dead letter while the others are stored, and comes back on replay.
/// (The real full disk, and the same over RabbitMQ, are in the chaos tests.)
/// </summary>
public sealed class ConsumerFailureTests : IAsyncDisposable
{
    private readonly StandaloneFactory _factory;
    private readonly OperationalClient _client;
    private volatile Func<IReadOnlyList<IngestedEvent>, Exception?> _fault = _ => null;

    public ConsumerFailureTests()
    {
        _factory = new StandaloneFactory
        {
            ConfigureServices = services => EventStoreDecoration.Decorate(services, inner => FaultyAppend.Wrap(inner, events => _fault(events))),
        };
        _client = _factory.CreateOperationalClient();
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task A_full_store_holds_accepted_events_unready_until_it_recovers_then_stores_them_without_a_restart()
    {
        _fault = _ => new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);
        var id = await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"accepted while the disk is full"}""");

        var unready = await WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10));
        Assert.Contains("storage-events-ingested", unready, StringComparison.Ordinal);
        Assert.Contains("database or disk is full", unready, StringComparison.Ordinal);
        using (var missing = await _client.GetAsync(StandaloneFactory.AdminKey, $"/v1/events/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than 5 attempts would have taken
        _fault = _ => null;

        await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(40));
        await WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        var deadLetters = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/dead-letters");
        Assert.Equal(0, deadLetters.GetProperty("total").GetInt64());
        Assert.Contains(_factory.Logs.Lines, l => l.Contains("Consumer of storage-events-ingested cannot work", StringComparison.Ordinal));
        Assert.Contains(_factory.Logs.Lines, l => l.Contains("Consumer of storage-events-ingested works again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_that_can_never_be_stored_is_kept_as_a_dead_letter_the_rest_are_stored_and_a_replay_brings_it_back()
    {
        var poisonous = true;
        _fault = events => poisonous && events.Any(e => e.Name == "poison") ? new InvalidOperationException("this event breaks the store") : null;

        var poison = await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"poison"}""");
        var healthy = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            healthy.Add(await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"healthy {{i}}"}"""));
        }

        foreach (var id in healthy)
        {
            await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(20));
        }

        var listed = await _client.WaitForJsonAsync(StandaloneFactory.AdminKey, "/v1/dead-letters", l => l.GetProperty("total").GetInt64() == 1, TimeSpan.FromSeconds(20));
        Assert.Equal(1, listed.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "storage-events-ingested").GetProperty("messages").GetInt64());
        using (var missing = await _client.GetAsync(StandaloneFactory.AdminKey, $"/v1/events/{poison}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var wrongQueue = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/dead-letters/replay?queue=nope", ""))
        {
            await ProblemAssert.NamesFieldAsync(wrongQueue, "queue");
        }

        using (var notAdmin = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/dead-letters/replay", ""))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        poisonous = false; // the consumer was fixed
        using var replay = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/dead-letters/replay?queue=storage-events-ingested", "");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("replayed").GetInt64());

        await _client.WaitForEventAsync(StandaloneFactory.AdminKey, poison, TimeSpan.FromSeconds(20));
        Assert.Equal(0, (await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/dead-letters")).GetProperty("total").GetInt64());
    }

    private async Task<string> WaitForReadinessAsync(HttpStatusCode expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var ready = await _client.Http.GetAsync("/health/ready");
            var body = await ready.Content.ReadAsStringAsync();
            if (ready.StatusCode == expected)
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"readiness stayed {(int)ready.StatusCode} instead of {(int)expected}: {body}");
            await Task.Delay(100);
        }
    }

    /// <summary>An event store whose appends fail with what <c>fault</c> says for the events (null: no failure).</summary>
    public class FaultyAppend : DispatchProxy
    {
        private IEventStore _inner = null!;
        private Func<IReadOnlyList<IngestedEvent>, Exception?> _fault = null!;

        public static IEventStore Wrap(IEventStore inner, Func<IReadOnlyList<IngestedEvent>, Exception?> fault)
        {
            var proxy = Create<IEventStore, FaultyAppend>();
            var faulty = (FaultyAppend)(object)proxy;
            faulty._inner = inner;
            faulty._fault = fault;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IEventStore.AppendAsync) && _fault((IReadOnlyList<IngestedEvent>)args![0]!) is { } failure)
            {
                return Task.FromException<int>(failure);
            }

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
