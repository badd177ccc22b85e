using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.Rules.Evaluation;
using Operational.ServiceDefaults.Bus;
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
        // No project has rules before the rules service ever ran: its queue exists and waits for none.
        Assert.Equal(
            new Dictionary<string, int> { [EventSubscriberQueues.Storage] = 1, [EventSubscriberQueues.Contexts] = 1, [EventSubscriberQueues.Rules] = 0, [EventSubscriberQueues.Notifications] = 1 },
            EventSubscriberQueues.All.ToDictionary(q => q, q => depths.GetValueOrDefault(q, -1)));

        // Nothing for contexts or notifications: routed to storage only.
        await client.IngestAsync(BusSettings.IngestKey, """{"name":"plain"}""");
        depths = await _node.QueueDepthsAsync(_settings.VirtualHost);
        Assert.Equal(
            new Dictionary<string, int> { [EventSubscriberQueues.Storage] = 2, [EventSubscriberQueues.Contexts] = 1, [EventSubscriberQueues.Rules] = 0, [EventSubscriberQueues.Notifications] = 1 },
            EventSubscriberQueues.All.ToDictionary(q => q, q => depths.GetValueOrDefault(q, -1)));
    }

    [Fact]
    public async Task The_rules_queue_takes_the_batches_of_the_projects_the_rules_service_routed_and_no_longer_all_once_complete()
    {
        await using var gateway = new GatewayHost(_settings);
        var client = gateway.CreateOperationalClient();
        var routing = new ProjectRouting(gateway.Services.GetRequiredService<IBus>(), gateway.Services.GetRequiredService<IOptions<BusOptions>>(),
            NullLogger<ProjectRouting>.Instance);
        await client.IngestAsync(BusSettings.IngestKey, """{"name":"declares the topology"}""");
        // An installation from before routing: the rules queue bound to every batch.
        var messageExchange = ((IRabbitMqMessagePublishTopology<EventsIngested>)gateway.Services.GetRequiredService<IBus>().Topology.Publish<EventsIngested>()).Exchange.ExchangeName;
        var factory = RabbitMqConnections.Factory(gateway.Services.GetRequiredService<IOptions<BusOptions>>().Value.RabbitMq, "test");
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeBindAsync(EventSubscriberQueues.Rules, messageExchange, routingKey: string.Empty);
        }

        await routing.RouteAsync(["another-project"], complete: false, CancellationToken.None);
        await client.IngestAsync(BusSettings.IngestKey, """{"name":"still everything"}""");
        Assert.Equal(1, await RulesDepthAsync());

        await routing.RouteAsync(["another-project"], complete: true, CancellationToken.None);
        await client.IngestAsync(BusSettings.IngestKey, """{"name":"a project without rules"}""");
        Assert.Equal(1, await RulesDepthAsync());

        await routing.RouteAsync(["default"], complete: false, CancellationToken.None);
        await client.IngestAsync(BusSettings.IngestKey, """{"name":"a project with rules"}""");
        Assert.Equal(2, await RulesDepthAsync());
        Assert.Equal(4, (await _node.QueueDepthsAsync(_settings.VirtualHost))[EventSubscriberQueues.Storage]);

        async Task<int> RulesDepthAsync() => (await _node.QueueDepthsAsync(_settings.VirtualHost))[EventSubscriberQueues.Rules];
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
