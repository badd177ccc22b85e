using Operational.Contracts.Api;
using Operational.Notifications.Channels;
using Operational.Notifications.Push;

namespace Operational.Notifications.Deliveries;

/// <summary>
/// Where one message goes, as deliveries: a channel each, except a web push channel, which stands
/// for every device of the project that turned push on, so it becomes one delivery per
/// subscription (each retried, and removed when gone, on its own).
/// </summary>
public sealed class DeliveryTargets(IChannelStore channels, IPushStore subscriptions, TimeProvider clock)
{
    public async Task<IReadOnlyList<Delivery>> ForChannelsAsync(
        string projectId, IReadOnlyList<string> channelIds, string sourceId, NotificationMessage message, CancellationToken cancellationToken)
    {
        var kinds = new List<(string Id, ChannelDefinition? Definition)>();
        foreach (var channelId in channelIds.Distinct(StringComparer.Ordinal))
        {
            // A deleted channel (no definition) still gets its delivery, which fails saying why nothing arrived.
            kinds.Add((channelId, (await channels.GetAsync(projectId, channelId, cancellationToken))?.Definition));
        }

        return await ExpandAsync(projectId, kinds, sourceId, message, cancellationToken);
    }

    /// <summary>The project's channels that receive <paramref name="route"/> (see <see cref="ChannelRoutes"/>), as deliveries.</summary>
    public async Task<IReadOnlyList<Delivery>> ForRouteAsync(string projectId, string route, string sourceId, NotificationMessage message, CancellationToken cancellationToken)
    {
        var routed = (await channels.ListAsync(projectId, cancellationToken))
            .Where(c => c.Definition.Receives(route))
            .Select(c => (c.Id, (ChannelDefinition?)c.Definition))
            .ToList();
        return routed.Count == 0 ? [] : await ExpandAsync(projectId, routed, sourceId, message, cancellationToken);
    }

    /// <summary>One delivery per device of the project that turned push on.</summary>
    public async Task<IReadOnlyList<Delivery>> ForDevicesAsync(string projectId, string sourceId, NotificationMessage message, CancellationToken cancellationToken) =>
        Deliveries(projectId, await DevicesAsync(projectId, cancellationToken), sourceId, message);

    /// <summary>Each channel is a target, except web push channels, which stand for the project's devices (read once however many there are).</summary>
    private async Task<IReadOnlyList<Delivery>> ExpandAsync(
        string projectId, IReadOnlyList<(string Id, ChannelDefinition? Definition)> channelKinds, string sourceId, NotificationMessage message, CancellationToken cancellationToken)
    {
        // Each channel words the message its own way, if it has a template.
        var deliveries = channelKinds.Where(c => c.Definition?.Kind != ChannelKinds.WebPush)
            .SelectMany(c => Deliveries(projectId, [c.Id], sourceId, MessageTemplate.Apply(c.Definition?.Template, message)))
            .ToList();
        if (channelKinds.FirstOrDefault(c => c.Definition?.Kind == ChannelKinds.WebPush) is { Definition: { } push })
        {
            deliveries.AddRange(Deliveries(projectId, await DevicesAsync(projectId, cancellationToken), sourceId, MessageTemplate.Apply(push.Template, message)));
        }

        return deliveries;
    }

    private async Task<IEnumerable<string>> DevicesAsync(string projectId, CancellationToken cancellationToken) =>
        (await subscriptions.SubscriptionsAsync(projectId, cancellationToken)).Select(s => WebPushSender.TargetFor(s.Id));

    private List<Delivery> Deliveries(string projectId, IEnumerable<string> targets, string sourceId, NotificationMessage message)
    {
        var now = clock.GetUtcNow();
        return targets.Select(target => new Delivery(Delivery.IdFor(sourceId, target), projectId, target, sourceId, message, DeliveryStatus.Pending, 0, now, now, now)).ToList();
    }
}
