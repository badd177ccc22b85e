using MassTransit;
using Operational.Contracts.Events;

namespace Operational.Gateway.Ingest;

/// <summary>
/// Where a batch must be made durable before its requests get 202. Over RabbitMQ the
/// broker's publisher confirm is that point; the standalone host journals the batch first.
/// </summary>
public interface IIngestSink
{
    /// <summary>Completes once the batch is durable; throws if it cannot be made durable.</summary>
    Task WriteAsync(EventsIngested batch, CancellationToken cancellationToken);
}

/// <summary>Publishes to the bus; with RabbitMQ the publish completes after the broker's confirm.</summary>
internal sealed class BusIngestSink(IBus bus) : IIngestSink
{
    public Task WriteAsync(EventsIngested batch, CancellationToken cancellationToken) =>
        bus.Publish(batch, cancellationToken);
}
