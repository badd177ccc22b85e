using System.Text.Json;
using System.Text.Json.Nodes;

namespace Operational.Notifications.Deliveries;

/// <summary>
/// Alerts of one rule that open within its <c>groupWaitSeconds</c> reach each channel as one
/// message, as Alertmanager's <c>group_wait</c> does: the first starts a delivery due when the wait
/// ends, the others join it while it has not left. Here the message is built from its alerts; the
/// store only finds the delivery to join.
/// </summary>
public static class AlertGroups
{
    /// <summary>What a group's deliveries' source ids start with, per rule: the store finds the one to join by it.</summary>
    public static string SourcePrefix(string ruleId) => $"alertgroup:{ruleId}:";

    /// <summary>Names shown in a group's text before "…".</summary>
    public const int NamesShown = 20;

    /// <summary>A group of one: the alert's own message, its data keeping the alerts for those that join.</summary>
    public static NotificationMessage Start(NotificationMessage single, string ruleName) =>
        Build(single, ruleName, [AlertOf(single)]);

    /// <summary>The group with one more alert; null when it holds that alert already (its message came twice).</summary>
    public static NotificationMessage? Join(NotificationMessage group, NotificationMessage single, string ruleName)
    {
        var alerts = Alerts(group);
        var joining = AlertOf(single);
        var id = joining["alertId"]?.GetValue<string>();
        if (alerts.Any(a => a["alertId"]?.GetValue<string>() == id))
        {
            return null;
        }

        return Build(single, ruleName, [.. alerts, joining]);
    }

    private static NotificationMessage Build(NotificationMessage single, string ruleName, IReadOnlyList<JsonObject> alerts)
    {
        if (alerts.Count == 1)
        {
            var data = alerts[0].DeepClone().AsObject();
            data["grouped"] = JsonValue.Create(false);
            data["alerts"] = new JsonArray(alerts[0].DeepClone());
            return single with { Data = JsonSerializer.SerializeToElement(data) };
        }

        var names = alerts.Select(a => a["group"]?.GetValue<string>() ?? a["alertId"]!.GetValue<string>()).ToList();
        var shown = string.Join(", ", names.Take(NamesShown)) + (names.Count > NamesShown ? ", …" : "");
        var first = alerts[0]["evidence"]?["summary"]?.GetValue<string>();
        var groupData = new JsonObject
        {
            ["grouped"] = true,
            ["ruleId"] = alerts[0]["ruleId"]?.DeepClone(),
            ["ruleName"] = ruleName,
            ["count"] = alerts.Count,
            ["alerts"] = new JsonArray([.. alerts.Select(a => (JsonNode)a.DeepClone())]),
        };
        return single with
        {
            Title = $"{ruleName}: {alerts.Count} alerts",
            Body = $"{alerts.Count} alerts for {shown}." + (first is null ? "" : $"\n\nThe first: {first}") + "\n\nAcknowledge each on the alerts page.",
            Url = "/alerts",
            Data = JsonSerializer.SerializeToElement(groupData),
        };
    }

    private static JsonObject AlertOf(NotificationMessage single) =>
        single.Data is { ValueKind: JsonValueKind.Object } data ? JsonNode.Parse(data.GetRawText())!.AsObject() : new JsonObject();

    private static List<JsonObject> Alerts(NotificationMessage group) =>
        group.Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("alerts", out var alerts) && alerts.ValueKind == JsonValueKind.Array
            ? [.. alerts.EnumerateArray().Select(a => JsonNode.Parse(a.GetRawText())!.AsObject())]
            : [];
}
