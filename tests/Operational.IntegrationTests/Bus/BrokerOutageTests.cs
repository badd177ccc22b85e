using System.Net;
using Microsoft.AspNetCore.Hosting;
using Operational.Contracts.Topology;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Bus;

/// <summary>
/// The broker goes away and comes back. Runs on a RabbitMQ node of its own, because stopping
/// the shared node would break the tests running beside it.
/// </summary>
public sealed class BrokerOutageTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("operational-outage");
    private PrivateRabbitMqNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await PrivateRabbitMqNode.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Gateway_answers_503_with_retry_after_while_the_broker_is_down_and_recovers_by_itself()
    {
        var settings = new BusSettings(_node.Uri, "/", _data.Path);
        await using var gateway = new GatewayHost(settings, builder =>
        {
            builder.UseSetting("Ingest:PublishTimeout", "00:00:02");
            builder.UseSetting("Ingest:BreakDuration", "00:00:01");
        });
        var client = gateway.CreateOperationalClient();
        await client.IngestAsync(BusSettings.IngestKey, """{"name":"before the outage"}""");

        await _node.StopAppAsync();

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostEventAsync(BusSettings.IngestKey, """{"name":"during the outage"}""");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
        }

        using (var ready = await client.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        await _node.StartAppAsync();

        var recovered = false;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!recovered && DateTime.UtcNow < deadline)
        {
            using var response = await client.PostEventAsync(BusSettings.IngestKey, """{"name":"after the outage"}""");
            Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)response.StatusCode}");
            recovered = response.StatusCode == HttpStatusCode.Accepted;
            if (!recovered)
            {
                await Task.Delay(500);
            }
        }

        Assert.True(recovered, "the gateway did not accept events again within 60 s of the broker's return");

        // Nothing accepted was lost: the first and the last accepted events are both queued.
        var storageQueue = (await _node.Node.QueueDepthsAsync("/"))[EventSubscriberQueues.Storage];
        Assert.True(storageQueue >= 2, $"storage queue holds {storageQueue} messages, expected the accepted ones");
    }
}
