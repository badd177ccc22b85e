using MassTransit;
using Microsoft.Extensions.Options;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Bus;
using RabbitMQ.Client;

namespace Operational.Rules.Evaluation;

/// <summary>
/// Over RabbitMQ, the rules queue takes only the batches with an event of a project that has rules:
/// most projects have none, and every batch the queue takes costs the broker a queue write and
/// this service a read and a deserialization. The routing headers exchange carries a header per
/// project of the batch (<see cref="EventRouting.ProjectHeader"/>); this binds the queue once per
/// project with rules. A binding is made before a new rule's creation is answered, and all of them
/// again at start and with every rule sync (so bindings lost with a reset broker come back). Only
/// once every project is bound does the queue stop taking every batch (its binding from before
/// routing); a binding is never removed, so a project whose rules were all deleted still sends
/// its batches here (the rule book then skips them) until the queue is declared anew. With the
/// in-memory bus there is nothing to bind: the standalone dispatch asks the rule book.
/// </summary>
public sealed class ProjectRouting(IBus bus, IOptions<BusOptions> busOptions, ILogger<ProjectRouting> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Binds the rules queue for the projects; with <paramref name="complete"/>, they are all projects with rules.</summary>
    public async Task RouteAsync(IReadOnlyCollection<string> projectIds, bool complete, CancellationToken cancellationToken)
    {
        if (busOptions.Value.Transport != BusTransport.RabbitMq || (projectIds.Count == 0 && !complete))
        {
            return;
        }

        const string queue = EventSubscriberQueues.Rules;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var factory = RabbitMqConnections.Factory(busOptions.Value.RabbitMq, "operational-rules-routing");
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            // The same exchanges the gateway declares (SubscriberTopology), in case this runs first.
            var messageExchange = await EventExchanges.DeclareAsync(bus, channel, cancellationToken);
            await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            foreach (var projectId in projectIds.Distinct(StringComparer.Ordinal))
            {
                await channel.ExchangeBindAsync(queue, EventRouting.Exchange, routingKey: string.Empty,
                    new Dictionary<string, object?> { ["x-match"] = "all", [EventRouting.ProjectHeader(projectId)] = EventRouting.Yes },
                    cancellationToken: cancellationToken);
            }

            if (complete)
            {
                await channel.ExchangeUnbindAsync(queue, messageExchange, routingKey: string.Empty, cancellationToken: cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }

        logger.LogDebug("Routed the batches of {Count} projects to {Queue}", projectIds.Count, queue);
    }
}
