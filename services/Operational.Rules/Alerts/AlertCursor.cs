using Operational.ServiceDefaults.Paging;

namespace Operational.Rules.Alerts;

/// <summary>Where the next page of alerts starts: after (triggered time, alert id), newest first.</summary>
public static class AlertCursor
{
    public static bool TryDecode(string? cursor, out long triggeredMs, out string alertId) => TimeIdCursor.TryDecode(cursor, out triggeredMs, out alertId);

    public static AlertPage Page(IReadOnlyList<AlertRecord> overfetched, int limit)
    {
        var (alerts, next) = TimeIdCursor.Page(overfetched, limit, a => (a.Alert.TriggeredAt, a.Alert.AlertId));
        return new AlertPage(alerts, next);
    }
}
