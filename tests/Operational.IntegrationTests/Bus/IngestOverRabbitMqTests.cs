using Microsoft.Extensions.DependencyInjection;
using Operational.Contracts.Topology;
using Operational.Storage.Events;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Bus;

/// <summary>The gateway's group commit against a real RabbitMQ node, one virtual host per test.</summary>
public sealed class IngestOverRabbitMqTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("operational-bus");
    private RabbitMqNode _node = null!;
    private BusSettings _settings = null!;

    public async ValueTask InitializeAsync()
    {
        _node = RabbitMqNode.FromEnvironment();
        var vhost = await _node.CreateVirtualHostAsync("ingest");
        _settings = new BusSettings(_node.Uri, vhost, _data.Path);
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DeleteVirtualHostAsync(_settings.VirtualHost);
        _data.Dispose();
    }

    [Fact]
    public async Task Events_published_before_any_service_started_wait_in_every_subscriber_queue_that_needs_them()
    {
        await using var gateway = new GatewayHost(_settings);
        var client = gateway.CreateOperationalClient();

        await client.IngestAsync(BusSettings.IngestKey, """{"name":"in a context, notifying","contextId":"c-1","notify":true}""");
        var depths = await _node.QueueDepthsAsync(_settings.VirtualHost);
        foreach (var queue in EventSubscriberQueues.All)
        {
            Assert.True(depths.TryGetValue(queue, out var depth) && depth == 1, $"{queue} should hold the event: {string.Join(", ", depths)}");
        }

        // Nothing for contexts or notifications: routed to storage and rules only.
        await client.IngestAsync(BusSettings.IngestKey, """{"name":"plain"}""");
        depths = await _node.QueueDepthsAsync(_settings.VirtualHost);
        Assert.Equal(
            new Dictionary<string, int> { [EventSubscriberQueues.Storage] = 2, [EventSubscriberQueues.Contexts] = 1, [EventSubscriberQueues.Rules] = 2, [EventSubscriberQueues.Notifications] = 1 },
            EventSubscriberQueues.All.ToDictionary(q => q, q => depths.GetValueOrDefault(q)));
    }

    [Fact]
    public async Task Concurrent_requests_share_messages_and_every_accepted_event_is_stored()
    {
        const int Events = 300;
        await using var gateway = new GatewayHost(_settings);
        var client = gateway.CreateOperationalClient();

        var ids = await Task.WhenAll(Enumerable.Range(0, Events)
            .Select(i => client.IngestAsync(BusSettings.IngestKey, $$"""{"name":"concurrent {{i}}"}""")));

        var messages = (await _node.QueueDepthsAsync(_settings.VirtualHost))[EventSubscriberQueues.Storage];
        Assert.InRange(messages, 1, Events - 1); // fewer bus messages than events: they were batched

        await using var storage = new StorageHost(_settings);
        _ = storage.Server; // starts the host and its consumer
        var store = storage.Services.GetRequiredService<IEventStore>();
        var stored = await WaitForCountAsync(store, Events, TimeSpan.FromSeconds(30));
        Assert.Equal(ids.Order(), stored.Order());
    }

    private static async Task<List<string>> WaitForCountAsync(IEventStore store, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<string> ids;
        do
        {
            ids = [];
            EventCursor? cursor = null;
            do
            {
                var page = await store.ListAsync("default", new EventQuery(EventQuery.MaxLimit, cursor), CancellationToken.None);
                ids.AddRange(page.Events.Select(e => e.Id));
                cursor = page.Next;
            }
            while (cursor is not null);

            if (ids.Count >= expected)
            {
                return ids;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        return ids;
    }
}
