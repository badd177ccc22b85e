using MassTransit;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Bus;
using RabbitMQ.Client;

namespace Operational.Gateway.Ingest;

/// <summary>
/// Declares, as the publisher, every subscriber queue bound exactly as its consumer binds it
/// (message exchange → endpoint exchange → queue). Without this, a batch published before a
/// service's first start is routed nowhere, yet the broker still confirms it: a 202 for an
/// event nobody will ever store. Publishes are mandatory as well, so if the topology is ever
/// missing the broker returns the batch, the request gets 503, and the topology is declared again.
/// </summary>
internal sealed class SubscriberTopology(
    IBus bus,
    IOptions<BusOptions> busOptions,
    IOptions<IngestOptions> ingestOptions,
    ILogger<SubscriberTopology> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _declared;

    public bool IsDeclared => _declared;

    /// <summary>Fast once declared; otherwise declares now and throws if the broker cannot be reached.</summary>
    public async ValueTask EnsureDeclaredAsync(CancellationToken cancellationToken)
    {
        if (_declared)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_declared)
            {
                await DeclareAsync(cancellationToken);
                _declared = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The broker returned a batch as unroutable: the topology is gone (e.g. the virtual host was reset).</summary>
    public void Invalidate()
    {
        if (_declared)
        {
            logger.LogWarning("RabbitMQ returned a batch as unroutable; declaring the subscriber queues again");
        }

        _declared = false;
    }

    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        var factory = RabbitMqConnections.Factory(busOptions.Value.RabbitMq, "operational-gateway-topology");

        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var messageExchange = await EventExchanges.DeclareAsync(bus, channel, cancellationToken);
        foreach (var queue in ingestOptions.Value.Subscribers)
        {
            // Same shape MassTransit gives a receive endpoint, so the consumer's own declaration matches.
            await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, queue, routingKey: string.Empty, cancellationToken: cancellationToken);
            if (EventRouting.RequiredHeader(queue) is { } header)
            {
                // Only batches carrying the header; and no longer everything, as before routing existed.
                await channel.ExchangeUnbindAsync(queue, messageExchange, routingKey: string.Empty, cancellationToken: cancellationToken);
                await channel.ExchangeBindAsync(queue, EventRouting.Exchange, routingKey: string.Empty,
                    new Dictionary<string, object?> { ["x-match"] = "all", [header] = EventRouting.Yes }, cancellationToken: cancellationToken);
            }
            else if (!EventRouting.RoutedByProject(queue))
            {
                await channel.ExchangeBindAsync(queue, messageExchange, routingKey: string.Empty, cancellationToken: cancellationToken);
            }

            // A queue routed by project is bound by its own service, for the projects it needs (the
            // rules service, at start and for each new rule); until it ran once, no project needs it.
        }

        logger.LogInformation("Declared subscriber queues {Queues} for {Exchange}", ingestOptions.Value.Subscribers, messageExchange);
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>Declares the topology as soon as the broker is reachable, so queues exist before the first event.</summary>
internal sealed class SubscriberTopologyStartup(
    SubscriberTopology topology,
    IOptions<BusOptions> busOptions,
    ILogger<SubscriberTopologyStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (busOptions.Value.Transport != BusTransport.RabbitMq)
        {
            return;
        }

        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested && !topology.IsDeclared)
        {
            try
            {
                await topology.EnsureDeclaredAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Cannot declare the subscriber queues yet ({Error}); retrying in {Delay}", e.Message, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }
}
