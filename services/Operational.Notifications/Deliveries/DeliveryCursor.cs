using Operational.ServiceDefaults.Paging;

namespace Operational.Notifications.Deliveries;

/// <summary>Where the next page of deliveries starts: after (created time, id), newest first.</summary>
public static class DeliveryCursor
{
    public static bool TryDecode(string? cursor, out long createdMs, out string deliveryId) => TimeIdCursor.TryDecode(cursor, out createdMs, out deliveryId);

    public static DeliveryPage Page(IReadOnlyList<Delivery> overfetched, int limit)
    {
        var (deliveries, next) = TimeIdCursor.Page(overfetched, limit, d => (d.CreatedAt, d.Id));
        return new DeliveryPage(deliveries, next);
    }
}
