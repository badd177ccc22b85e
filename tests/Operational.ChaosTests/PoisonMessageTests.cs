using System.Net;
using System.Text;
using System.Text.Json;
using Operational.Contracts.Topology;
using Operational.TestSupport;
using RabbitMQ.Client;
using Xunit;

namespace Operational.ChaosTests;

/// <summary>
/// Over RabbitMQ: messages no consumer can take — one that does not parse, one whose event the
/// store refuses — go to the queue's <c>_error</c> queue while the events around them are stored;
/// <c>/v1/dead-letters</c> shows them and a replay puts them back (where they fail again).
/// </summary>
public sealed class PoisonMessageTests
{
    [Fact]
    public async Task Poison_goes_to_the_error_queue_while_the_rest_flow_and_a_replay_puts_it_back()
    {
        await using var deployment = await ChaosDeployment.StartAsync();
        using var http = new HttpClient { BaseAddress = deployment.Gateway.Address };
        var api = new OperationalClient(http);
        var before = await api.IngestAsync(ChaosDeployment.IngestKey, """{"name":"before the poison"}""");
        await api.WaitForEventAsync(ChaosDeployment.AdminKey, before, TimeSpan.FromSeconds(10));

        var factory = new ConnectionFactory { HostName = deployment.Broker.Node.Host, Port = deployment.Broker.Node.Port };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // Not JSON at all, and a batch whose event has no name (the store's NOT NULL refuses it).
            await PublishAsync(channel, "this is not a MassTransit message");
            var now = DateTimeOffset.UtcNow;
            await PublishAsync(channel, JsonSerializer.Serialize(new
            {
                messageId = Guid.NewGuid(),
                messageType = new[] { "urn:message:Operational.Contracts.Events:EventsIngested" },
                message = new
                {
                    batchId = Guid.NewGuid(),
                    acceptedAt = now,
                    events = new[] { new { id = "poison-1", projectId = "default", name = (string?)null, timestamp = now, receivedAt = now } },
                },
            }));
        }

        var after = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            after.Add(await api.IngestAsync(ChaosDeployment.IngestKey, $$"""{"name":"after the poison {{i}}"}"""));
        }

        foreach (var id in after)
        {
            await api.WaitForEventAsync(ChaosDeployment.AdminKey, id, TimeSpan.FromSeconds(30));
        }

        var listed = await WaitForDeadLettersAsync(api, 2, TimeSpan.FromSeconds(60));
        Assert.Equal(2, StorageDeadLetters(listed));
        Assert.Equal(2, (await deployment.QueueDepthsAsync())[ConsumerQueues.ErrorQueueOf(EventSubscriberQueues.Storage)]);

        using var replay = await api.PostAsync(ChaosDeployment.AdminKey, $"/v1/dead-letters/replay?queue={EventSubscriberQueues.Storage}", "");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("replayed").GetInt64());

        // Still poison: consumed again, failed again, back in the dead letters; everything else untouched.
        await WaitForDeadLettersAsync(api, 2, TimeSpan.FromSeconds(60));
        Assert.Equal(21, (await ChaosRun.ListAllEventIdsAsync(api, ChaosDeployment.AdminKey)).Count);
    }

    private static async Task PublishAsync(IChannel channel, string body)
    {
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
        await channel.BasicPublishAsync(string.Empty, EventSubscriberQueues.Storage, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }

    private static long StorageDeadLetters(JsonElement listed) =>
        listed.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == EventSubscriberQueues.Storage).GetProperty("messages").GetInt64();

    private static Task<JsonElement> WaitForDeadLettersAsync(OperationalClient api, long expected, TimeSpan timeout) =>
        api.WaitForJsonAsync(ChaosDeployment.AdminKey, "/v1/dead-letters", l => l.GetProperty("total").GetInt64() == expected, timeout);
}
