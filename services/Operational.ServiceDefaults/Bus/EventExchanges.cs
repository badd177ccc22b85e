using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using RabbitMQ.Client;

namespace Operational.ServiceDefaults.Bus;

/// <summary>
/// The exchanges ingested batches pass through over RabbitMQ: MassTransit's message exchange for
/// <see cref="EventsIngested"/> (fanout; storage's queue binds to it) and the routing headers
/// exchange behind it (<see cref="EventRouting.Exchange"/>; the routed queues bind to that).
/// Declared by whoever needs them first: the gateway before publishing, the rules service before
/// binding its projects.
/// </summary>
public static class EventExchanges
{
    /// <summary>Declares both exchanges and the binding between them; returns the message exchange's name.</summary>
    public static async Task<string> DeclareAsync(IBus bus, IChannel channel, CancellationToken cancellationToken)
    {
        // The name comes from MassTransit's own topology so both sides agree.
        var messageExchange = ((IRabbitMqMessagePublishTopology<EventsIngested>)bus.Topology.Publish<EventsIngested>()).Exchange.ExchangeName;
        await channel.ExchangeDeclareAsync(messageExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(EventRouting.Exchange, ExchangeType.Headers, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.ExchangeBindAsync(EventRouting.Exchange, messageExchange, routingKey: string.Empty, cancellationToken: cancellationToken);
        return messageExchange;
    }
}
