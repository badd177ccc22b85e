using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.TestSupport;

namespace Operational.EndToEndTests;

/// <summary>Contexts assembled by two contexts-service processes competing for one RabbitMQ queue.</summary>
public sealed class DistributedContextsTests(DistributedDeployment deployment) : IClassFixture<DistributedDeployment>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private OperationalClient Client => deployment.Client;

    [Fact]
    public async Task Cron_run_sent_through_the_gateway_shows_as_one_completed_context()
    {
        var run = new CronRunExample(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeMilliseconds()));
        foreach (var e in run.Events)
        {
            await Client.IngestAsync(DistributedDeployment.IngestKey, e);
        }

        var detail = await Client.WaitForContextAsync(DistributedDeployment.AdminKey, run.ContextId, CronRunExample.IsComplete, Settle);

        run.AssertShown(detail); // the events came from the storage process's API
    }

    /// <summary>
    /// Property-style: many contexts, each delivered in its own random order (children before
    /// their start), with duplicated messages as redelivery makes them, interleaved and consumed
    /// by two processes at once. Every one must equal the context that in-order delivery gives.
    /// </summary>
    [Fact]
    public async Task Shuffled_duplicated_children_consumed_by_two_replicas_give_the_in_order_context()
    {
        Assert.Equal(2, (await deployment.Broker.QueueConsumersAsync(deployment.VirtualHost)).GetValueOrDefault(EventSubscriberQueues.Contexts));
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var run = Guid.NewGuid().ToString("N")[..8];
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());

        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
            cfg.Host(deployment.Broker.Host, (ushort)deployment.Broker.Port, deployment.VirtualHost, host =>
            {
                host.Username("guest");
                host.Password("guest");
            }));
        await bus.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // In order, one message at a time, each applied before the next is sent.
            var reference = $"in-order-{run}";
            var inOrder = Children(reference, t0);
            for (var i = 0; i < inOrder.Count; i++)
            {
                await PublishRoutedAsync(bus, Batch(inOrder[i]));
                var count = i + 1;
                await Client.WaitForContextAsync(DistributedDeployment.AdminKey, reference, d => d.GetProperty("context").GetProperty("eventCount").GetInt64() == count, Settle);
            }

            var expected = await Client.WaitForContextAsync(DistributedDeployment.AdminKey, reference, d => AllEventsStored(d, inOrder.Count), Settle);

            // Shuffled: 24 contexts, each event 1-3 times, some messages carrying several events.
            var shuffledIds = Enumerable.Range(0, 24).Select(i => $"shuffled-{run}-{i}").ToList();
            var deliveries = new List<IngestedEvent>();
            foreach (var contextId in shuffledIds)
            {
                var children = Children(contextId, t0).SelectMany(e => Enumerable.Repeat(e, random.Next(1, 4))).ToArray();
                random.Shuffle(children);
                if (children[0].ContextStart)
                {
                    // A child always arrives before the start: the case Operational loses.
                    var child = Array.FindIndex(children, e => !e.ContextStart);
                    (children[0], children[child]) = (children[child], children[0]);
                }

                deliveries.AddRange(children);
            }

            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));
            var messages = new List<EventsIngested>();
            for (var i = 0; i < deliveries.Count;)
            {
                var size = Math.Min(random.Next(1, 4), deliveries.Count - i);
                messages.Add(Batch([.. deliveries.GetRange(i, size)]));
                i += size;
            }

            await Task.WhenAll(messages.Select(m => PublishRoutedAsync(bus, m)));

            foreach (var contextId in shuffledIds)
            {
                var actual = await Client.WaitForContextAsync(DistributedDeployment.AdminKey, contextId, d => AllEventsStored(d, inOrder.Count), Settle);
                Assert.True(
                    JsonNode.DeepEquals(Comparable(expected), Comparable(actual)),
                    $"{contextId} (seed {seed}) differs from in-order delivery:\n{Comparable(expected)}\n{Comparable(actual)}");
            }
        }
        finally
        {
            await bus.StopAsync(TestContext.Current.CancellationToken);
        }

        // Both replicas took part.
        foreach (var replica in deployment.Contexts)
        {
            Assert.Contains("Applied", replica.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>A signup flow: its start, then children at later times, one a warning, the last ending it.</summary>
    private static List<IngestedEvent> Children(string contextId, DateTimeOffset t0) =>
    [
        Event(contextId, "start", "signup started", t0, e => e with { Avatar = "👋", ContextStart = true }),
        Event(contextId, "form", "form submitted", t0.AddSeconds(3), e => e),
        Event(contextId, "email", "email sent", t0.AddSeconds(4), e => e with { ContextTimeout = 900 }),
        Event(contextId, "bounce", "email bounced once", t0.AddSeconds(9), e => e with { Level = EventLevels.Warning }),
        Event(contextId, "verify", "email verified", t0.AddSeconds(40), e => e),
        Event(contextId, "done", "account ready", t0.AddSeconds(41), e => e with { Level = EventLevels.Success, ContextEnd = true }),
    ];

    private static IngestedEvent Event(string contextId, string step, string name, DateTimeOffset at, Func<IngestedEvent, IngestedEvent> shape) =>
        shape(new IngestedEvent($"{contextId}-{step}", "default", name, null, "signups", null, at, at) { ContextId = contextId });

    private static EventsIngested Batch(params IngestedEvent[] events) => new(NewId.NextGuid(), DateTimeOffset.UtcNow, events);

    private static bool AllEventsStored(JsonElement detail, int count) =>
        detail.GetProperty("context").GetProperty("eventCount").GetInt64() == count &&
        detail.GetProperty("events") is { ValueKind: JsonValueKind.Array } events && events.GetArrayLength() == count;

    /// <summary>The answer without what differs by construction: the context id, and the event ids that embed it.</summary>
    private static JsonNode Comparable(JsonElement detail)
    {
        var node = JsonNode.Parse(detail.GetRawText())!;
        node["context"]!.AsObject().Remove("contextId");
        foreach (var e in node["events"]!.AsArray())
        {
            e!.AsObject().Remove("id");
            e.AsObject().Remove("contextId");
        }

        return node;
    }

    /// <summary>Published as the gateway publishes: with the routing headers, without which the contexts queue never sees a batch.</summary>
    private static Task PublishRoutedAsync(IBus bus, EventsIngested batch) =>
        bus.Publish(batch, context =>
        {
            foreach (var header in EventRouting.HeadersOf(batch))
            {
                context.Headers.Set(header, EventRouting.Yes);
            }
        }, TestContext.Current.CancellationToken);
}
