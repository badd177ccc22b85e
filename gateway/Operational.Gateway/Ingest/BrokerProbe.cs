using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Bus;
using RabbitMQ.Client;

namespace Operational.Gateway.Ingest;

/// <summary>
/// RabbitMQ: whether the gateway can reach the broker, known without traffic. MassTransit reports
/// a bus that only publishes as healthy while its broker is gone, and the publish circuit learns of
/// an outage (or of its end) only from a request. So the gateway keeps one small connection of its
/// own open: its loss is noticed at once (or within a heartbeat), and while it is lost the probe
/// reconnects every <c>Ingest:BrokerProbeInterval</c>. While the broker is unreachable the gateway is
/// not ready and refuses events at once with 503.
/// </summary>
internal sealed class BrokerProbe(
    IOptions<BusOptions> bus,
    IOptions<IngestOptions> ingest,
    IngestPublisher publisher,
    ILogger<BrokerProbe> logger) : BackgroundService
{
    private volatile string? _problem = bus.Value.Transport == BusTransport.RabbitMq ? "Not connected to RabbitMQ yet." : null;
    private IConnection? _connection;

    /// <summary>Why the broker cannot be reached now, or null when it can (or the bus is in memory).</summary>
    public string? Problem => _problem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (bus.Value.Transport != BusTransport.RabbitMq)
        {
            return;
        }

        var rabbit = bus.Value.RabbitMq;
        var factory = RabbitMqConnections.Factory(rabbit, "operational-gateway-probe");
        factory.RequestedHeartbeat = TimeSpan.FromSeconds(10);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_connection is not { IsOpen: true })
            {
                await ConnectAsync(factory, rabbit, stoppingToken);
            }

            if (_problem is not null)
            {
                publisher.RefuseUntilProbed();
            }

            try
            {
                await Task.Delay(ingest.Value.BrokerProbeInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task ConnectAsync(ConnectionFactory factory, RabbitMqOptions rabbit, CancellationToken stoppingToken)
    {
        try
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            var connection = await factory.CreateConnectionAsync(stoppingToken);
            connection.ConnectionShutdownAsync += (_, args) =>
            {
                if (!stoppingToken.IsCancellationRequested)
                {
                    Lost($"The connection to RabbitMQ at {rabbit.Host}:{rabbit.Port} closed: {args.ReplyText}");
                    publisher.RefuseUntilProbed();
                }

                return Task.CompletedTask;
            };
            _connection = connection;
            if (_problem is not null)
            {
                logger.LogInformation("RabbitMQ at {Host}:{Port} is reachable; accepting events", rabbit.Host, rabbit.Port);
            }

            _problem = null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Lost($"Cannot reach RabbitMQ at {rabbit.Host}:{rabbit.Port}: {e.Message}");
        }
    }

    private void Lost(string problem)
    {
        if (_problem is null)
        {
            logger.LogWarning("{Problem}. Events are refused with 503 until it is back (checked every {Interval})", problem, ingest.Value.BrokerProbeInterval);
        }

        _problem = problem;
    }
}
