using System.Text.Json;

namespace Operational.Notifications.Deliveries;

/// <summary>How the stores keep a delivery's message: one JSON document.</summary>
internal static class DeliveryJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(NotificationMessage message) => JsonSerializer.Serialize(message, Options);

    public static NotificationMessage Read(string json) =>
        JsonSerializer.Deserialize<NotificationMessage>(json, Options) ?? throw new InvalidDataException("A stored delivery message is empty.");
}
