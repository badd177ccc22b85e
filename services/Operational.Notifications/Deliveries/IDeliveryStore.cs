namespace Operational.Notifications.Deliveries;

public sealed record DeliveryPage(IReadOnlyList<Delivery> Deliveries, string? NextCursor);

/// <summary>Deliveries and their attempts; the notifications store implements it next to the channels.</summary>
public interface IDeliveryStore
{
    /// <summary>Queues the deliveries; one whose id is stored already (a redelivered source message) is skipped.</summary>
    Task AddDeliveriesAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken);

    /// <summary>
    /// For each delivery: joins the pending delivery of the same channel whose source id starts with
    /// <paramref name="sourcePrefix"/> and which has not left yet (due after <paramref name="now"/>,
    /// never attempted), its message becoming <paramref name="join"/>'s (null: leave it as it is);
    /// when there is none, queues the delivery as it is. In one write.
    /// </summary>
    Task AddOrJoinAsync(IReadOnlyList<Delivery> deliveries, string sourcePrefix, DateTimeOffset now, Func<NotificationMessage, NotificationMessage?> join, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> pending deliveries due at <paramref name="now"/>, for
    /// <paramref name="lease"/>: no other replica attempts them meanwhile; a claim whose replica died expires.
    /// </summary>
    Task<IReadOnlyList<Delivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken);

    /// <summary>Records attempts' outcomes (each delivery's new status, attempts, next attempt and last error) in one write, and releases their claims.</summary>
    Task RecordAttemptsAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken);

    /// <summary>What the channel called the message a succeeded delivery made (see <see cref="AttemptResult.RemoteId"/>), or null.</summary>
    Task<string?> RemoteIdAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>The project's deliveries, newest first.</summary>
    Task<DeliveryPage> ListDeliveriesAsync(string projectId, string? channelId, string? status, int limit, string? cursor, CancellationToken cancellationToken);
}
