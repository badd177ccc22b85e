using System.Text.Json;
using Operational.Contracts.Alerts;
using Operational.Rules.Definitions;

namespace Operational.Rules.Storage;

/// <summary>How the stores keep definitions, alert snapshots and queued messages: JSON documents.</summary>
internal static class RulesJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Type> MessageTypes = new()
    {
        [nameof(AlertTriggered)] = typeof(AlertTriggered),
        [nameof(AlertRepeated)] = typeof(AlertRepeated),
        [nameof(AlertResolved)] = typeof(AlertResolved),
        [nameof(AlertEscalated)] = typeof(AlertEscalated),
        [nameof(AlertAcknowledged)] = typeof(AlertAcknowledged),
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"A stored {typeof(T).Name} is empty.");

    public static RuleDefinition ReadDefinition(string json) => Read<RuleDefinition>(json);

    public static (string Type, string Payload) WriteMessage(object message) =>
        (message.GetType().Name, JsonSerializer.Serialize(message, message.GetType(), Options));

    public static object ReadMessage(string type, string payload) =>
        JsonSerializer.Deserialize(payload, MessageTypes[type], Options) ?? throw new InvalidDataException($"A queued {type} is empty.");

    /// <summary>Groups are stored as text; a rule without groups uses the empty string (an empty tag value is never made a group).</summary>
    public static string GroupKey(string? group) => group ?? "";
}
