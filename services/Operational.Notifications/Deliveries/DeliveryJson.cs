using System.Text.Json;
using Operational.ServiceDefaults.Paging;

namespace Operational.Notifications.Deliveries;

/// <summary>How the stores keep a delivery's message: one JSON document.</summary>
internal static class DeliveryJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(NotificationMessage message) => JsonSerializer.Serialize(message, Options);

    public static NotificationMessage Read(string json) =>
        JsonSerializer.Deserialize<NotificationMessage>(json, Options) ?? throw new InvalidDataException("A stored delivery message is empty.");
}

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
