using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;

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

/// <summary>
/// RabbitMQ: the publish completes after the broker's confirm, and is mandatory, so a batch
/// that reaches no subscriber queue fails instead of being confirmed into nowhere.
/// </summary>
internal sealed class RabbitMqIngestSink(IBus bus, SubscriberTopology topology) : IIngestSink
{
    public async Task WriteAsync(EventsIngested batch, CancellationToken cancellationToken)
    {
        await topology.EnsureDeclaredAsync(cancellationToken);
        try
        {
            await bus.Publish(batch, context =>
            {
                context.SetMandatory();
                // Routed subscribers (contexts, notifications) only get batches with something for them.
                foreach (var header in EventRouting.HeadersOf(batch))
                {
                    context.Headers.Set(header, EventRouting.Yes);
                }
            }, cancellationToken);
        }
        catch (MessageReturnedException)
        {
            topology.Invalidate();
            throw;
        }
    }
}

internal static class MandatoryPublish
{
    public static void SetMandatory(this PublishContext context)
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
    }
}
